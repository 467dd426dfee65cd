import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeStream } from '../analyze';
import { csvStream, generateLog } from '../synth';
import { buildGraph, type Graph } from '../graph/build';
import { GcnError } from './errors';
import { trainGcn, type GcnProgress } from './train';

let graph: Graph;

beforeAll(async () => {
  const log = generateLog({ seed: 3, users: 150, items: 120, events: 2500, segments: 3, categories: 6 });
  const a = await analyzeStream(csvStream(log), { fileName: 'synth.csv', totalBytes: null, sequence: { by: 'user' } });
  graph = buildGraph(a.ingested.table, a.sequences);
});

describe('training', () => {
  it('lowers the loss, reports every epoch and is reproducible with a seed', async () => {
    const seen: GcnProgress[] = [];
    const opts = { epochs: 30, hidden: 16, seed: 5, earlyStopping: null };
    const a = await trainGcn(graph, null, opts, { onProgress: (p) => seen.push(p) });
    expect(a.epochs).toBe(30);
    expect(seen.map((p) => p.epoch)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(seen.map((p) => p.loss)).toEqual(a.loss);
    expect(a.loss[29]).toBeLessThan(0.8 * a.loss[0]);
    expect(a.loss[0]).toBeCloseTo(Math.log(2), 1);
    expect(a.z.length).toBe(graph.nodes * 16);

    const b = await trainGcn(graph, null, opts);
    expect(b.loss).toEqual(a.loss);
    expect(Array.from(b.z)).toEqual(Array.from(a.z));
    const c = await trainGcn(graph, null, { ...opts, seed: 6 });
    expect(c.loss).not.toEqual(a.loss);
  });

  it('stop ends training after the current epoch and keeps the vectors trained so far', async () => {
    const stop = { requested: false };
    const opts = { epochs: 50, hidden: 8, seed: 2, earlyStopping: null };
    const r = await trainGcn(graph, null, opts, { stop, onProgress: (p) => (stop.requested = p.epoch >= 4) });
    expect(r.epochs).toBe(4);
    expect(r.loss).toHaveLength(4);
    expect(r.stoppedEarly).toBe(true);
    expect(r.z.length).toBe(graph.nodes * 8);
    // The same as training 4 epochs outright.
    const four = await trainGcn(graph, null, { ...opts, epochs: 4 });
    expect(Array.from(r.z)).toEqual(Array.from(four.z));
  });

  it('trains the GCN variant too', async () => {
    const r = await trainGcn(graph, null, { model: 'gcn', epochs: 20, hidden: 8, earlyStopping: null, learningRate: 0.02 });
    expect(r.loss[19]).toBeLessThan(r.loss[0]);
  });

  it('starts from the given vectors', async () => {
    const anchor = new Float32Array(graph.nodes * 8).fill(0.25);
    const r = await trainGcn(graph, anchor, { epochs: 1, hidden: 8, initStd: 0, earlyStopping: null });
    // One Adam step moves each number by at most the learning rate.
    for (let k = 0; k < r.params.emb.length; k++) expect(Math.abs(r.params.emb[k] - 0.25)).toBeLessThanOrEqual(0.02 + 1e-6);
    await expect(trainGcn(graph, new Float32Array(3), { hidden: 8 })).rejects.toThrow(GcnError);
  });

  it('stops early once the loss stalls', async () => {
    const r = await trainGcn(graph, null, { epochs: 500, hidden: 8, learningRate: 0.05, earlyStopping: { patience: 3, minDelta: 0.05 } });
    expect(r.stoppedEarly).toBe(true);
    expect(r.epochs).toBeLessThan(500);
  });

  it('hands out the vectors at checkpoints', async () => {
    const seen: number[] = [];
    const r = await trainGcn(
      graph,
      null,
      { epochs: 6, hidden: 8, earlyStopping: null },
      { checkpoints: [2, 6], onCheckpoint: (epoch, z) => void seen.push(epoch, z.length) },
    );
    expect(seen).toEqual([2, graph.nodes * 8, 6, graph.nodes * 8]);
    expect(r.epochs).toBe(6);
  });

  it('can be cancelled between epochs', async () => {
    const cancel = { cancelled: false };
    const run = trainGcn(
      graph,
      null,
      { epochs: 100, hidden: 8, earlyStopping: null },
      {
        cancel,
        onProgress: (p) => {
          if (p.epoch === 3) cancel.cancelled = true;
        },
      },
    );
    await expect(run).rejects.toMatchObject({ code: 'cancelled' });
  });

  it('rejects bad options with a message', async () => {
    await expect(trainGcn(graph, null, { hidden: 0 })).rejects.toThrow(/hidden size/);
    await expect(trainGcn(graph, null, { learningRate: -1 })).rejects.toThrow(/learning rate/);
    await expect(trainGcn(graph, null, { model: 'gat' as 'gcn' })).rejects.toThrow(/model/);
  });
});
