// Child-process side of runNodeIngest: reads one file through the real pipeline and reports
// timings and memory to the parent over IPC.

import { statSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { fileSource } from '../../src/node/fileSource';
import { nodeHelperThreads } from '../../src/node/helperThreads';
import { analyzeSource } from '../../src/pipeline/analyze';
import { ownMaxRss, sampleOwnRss } from './memory';
import type { NodeIngestResult } from './nodeIngest';

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ options: { threads: { type: 'string' }, 'one-thread': { type: 'boolean' } }, allowPositionals: true });
  const file = positionals[0];
  if (!file || !process.send) throw new Error('usage: forked by runNodeIngest with a file path');
  statSync(file); // a missing file fails here, before the baseline is taken
  (globalThis as { gc?: () => void }).gc?.();
  const baselineRss = process.memoryUsage().rss;
  const maxRssBefore = ownMaxRss();
  const sampler = sampleOwnRss(20);

  // The CLI's path: a large file is read in parts on helper threads (--one-thread: on this thread only).
  const asked = values.threads !== undefined ? Number(values.threads) : NaN;
  const threads = values['one-thread'] || asked === 1 ? null : nodeHelperThreads(asked > 1 ? asked : undefined);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const { report } = await analyzeSource(fileSource(file), { fileName: basename(file), threads });
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);

  const sampledPeak = sampler.stop();
  const maxRssAfter = ownMaxRss();
  // maxRSS covers the whole process life: it only says something about this run if the run
  // raised it (start-up, tsx's compile, can peak higher than a small file's analysis).
  const peak = maxRssAfter > maxRssBefore ? Math.max(sampledPeak, maxRssAfter) : sampledPeak;
  const result: NodeIngestResult = {
    rows: report.input.rows,
    accepted: report.input.accepted,
    users: report.users,
    sessions: report.sessions,
    sequences: report.sequences.count,
    wallMs,
    readMs: report.timings.readMs,
    sequencesMs: report.timings.sequencesMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    readThreads: report.timings.readThreads,
    baselineRss,
    peakRssDelta: peak - baselineRss,
    sampledPeakRssDelta: sampledPeak - baselineRss,
  };
  process.send(result, () => process.exit(0));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
