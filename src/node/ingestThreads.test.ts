// Reading a log in parts on real Node worker threads (helper.thread.ts, which loads the reader
// alone for a part) gives what one reader gives; the same helpers then still serve the K sweep.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { snapshot } from '../../test/lib/analysisSnapshot';
import { analyzeSource } from '../pipeline/analyze';
import { makeBlobs } from '../pipeline/cluster/blobs';
import { sweepK } from '../pipeline/cluster/sweep';
import { exportCsvChunks } from '../pipeline/synth/exportCsv';
import { generateLog } from '../pipeline/synth/generate';
import { fileSource } from './fileSource';
import { nodeHelperThreads } from './helperThreads';

describe('reading a log in parts on Node worker threads', () => {
  it('gives the table and report one reader gives', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'seqlens-parts-'));
    try {
      const path = join(dir, 'log.csv');
      const log = generateLog({ events: 20_000, users: 800, items: 300, seed: 3 });
      writeFileSync(path, [...exportCsvChunks(log, { quoteEvery: 0 })].join(''));
      const one = await analyzeSource(fileSource(path), { fileName: 'log.csv', threads: null });
      const threads = nodeHelperThreads(3);
      const split = await analyzeSource(fileSource(path), { fileName: 'log.csv', threads, splitMinBytes: 0 });
      expect(split.ingested.readThreads).toBe(3);
      expect(one.ingested.readThreads).toBe(1);
      expect(snapshot({ ok: true, analysis: split })).toEqual(snapshot({ ok: true, analysis: one }));
      // A helper that was sent other work first loads everything: the sweep still runs on threads.
      const { data } = makeBlobs(2500, 8, 4, { std: 1, seed: 5 });
      const swept = await sweepK(data, 2500, 8, { kMin: 2, kMax: 6, seed: 1, silhouetteSample: 500, threads: nodeHelperThreads(2) });
      expect(swept.threads).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
