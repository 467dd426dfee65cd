import { describe, expect, it } from 'vitest';
import { analyzeStream } from '../analyze';
import { createFeaturizer } from '../encode';
import { embedItemTexts } from '../gcn/features';
import { csvStream, generateLog } from '../synth';
import { evaluate } from './evaluate';

describe('evaluate', () => {
  it('scores popularity, encoder and GCN vectors on a generated log, in the report shape', async () => {
    const log = generateLog({ seed: 11, users: 500, items: 300, events: 9000, segments: 4, categories: 8 });
    const a = await analyzeStream(csvStream(log), { fileName: 'synth.csv', totalBytes: null, sequence: { by: 'user' } });
    const texts = await embedItemTexts(a.ingested.table, a.sequences, createFeaturizer({ dims: 64 }));
    const r = await evaluate(a.ingested.table, a.sequences, texts, { gcn: { epochs: 40, hidden: 32, earlyStopping: null } });
    expect(Object.keys(r.report)).toEqual(['protocol', 'users', 'recall20', 'ndcg20']);
    expect(r.report.protocol).toMatch(/last session/);
    expect(r.report.users).toBeGreaterThan(200);
    for (const m of ['popularity', 'encoder', 'gcn'] as const) {
      for (const v of [r.report.recall20[m], r.report.ndcg20[m]]) {
        expect(v).toBeGreaterThan(0);
        expect(v).toBeLessThanOrEqual(1);
      }
    }
    expect(r.gcn).toMatchObject({ device: 'cpu', epochs: 40 });
    expect(r.gcn.loss.length).toBe(40);
    // The planted structure is easy enough that the trained vectors must beat both baselines.
    expect(r.report.recall20.gcn).toBeGreaterThan(r.report.recall20.popularity);
    expect(r.report.recall20.gcn).toBeGreaterThan(r.report.recall20.encoder);
  });
});
