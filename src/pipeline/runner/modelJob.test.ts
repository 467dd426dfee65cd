// Saved models through the runner: save the clustering at K, apply it to the same log (the same
// assignments, nobody moved), to a later slice of the UCI log (drift consistent), and refuse a
// file that is not one. The featurizer encoder keeps this quick; the behaviour BERT path is tiny.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeStream } from '../analyze';
import { createFeaturizer } from '../encode';
import { ModelFileError } from '../model/errors';
import { readModelFile, writeModelFile } from '../model/format';
import { fileSource } from '../../node/fileSource';
import type { SeqBertOptions } from '../seqbert';
import { behaviourCsvStream, csvStream, generateBehaviourLog, generateLog } from '../synth';
import { TASTE_AXES } from '../seqbert/segmentSpace';
import { PipelineRunner } from './runner';

const TINY: Partial<SeqBertOptions> = { layers: 1, hidden: 16, heads: 2, maxLen: 24, epochs: 1, batchSize: 32, backend: 'wasm' };
const textReq = { model: 'featurizer', mode: 'items' as const, weights: {}, halfLifeDays: 0 };
const K = 3;
const sweepReq = { kMin: K, kMax: K, device: 'cpu' as const, threads: 'off' as const };
const log = generateBehaviourLog({ seed: 3, users: 160, items: 60, categories: 5, days: 28 });

/** Customers in three personas by what they buy: the behaviour BERT's segments join what they buy (seqbert/segmentSpace.ts). */
const tasteLog = generateLog({ seed: 5, users: 150, segments: 3, items: 90, categories: 6, events: 150 * 30, days: 30 });

async function opened(which: 'behaviour' | 'taste' = 'behaviour'): Promise<PipelineRunner> {
  const runner = new PipelineRunner();
  const stream = which === 'taste' ? csvStream(tasteLog) : behaviourCsvStream(log);
  const analysis = await analyzeStream(stream, { fileName: `${which}.csv`, totalBytes: null, sequence: { by: 'user' } });
  await runner.use(analysis, '');
  return runner;
}

describe('a saved model applied to the log it was made from', () => {
  it('featurizer encoder: the same assignments, every customer kept in their segment, the saved names', async () => {
    const runner = await opened();
    await runner.encode({ ...textReq, kind: 'featurizer' }, createFeaturizer({ dims: 32 }));
    await runner.cluster(sweepReq);
    const trained = runner.sweep().labelsOf(K).slice();
    const names = runner
      .sweep()
      .profiles(K)
      .clusters.map((c) => c.label);
    const { bytes, size } = await runner.saveModel(K);
    expect(size).toBe(bytes.length);
    const saved = await readModelFile(bytes);
    expect(saved.settings.encoder).toMatchObject({ kind: 'featurizer', featurizer: true, mode: 'items' });
    expect(saved.clustering.labels).toEqual(names);
    expect(saved.approx?.centroids.length).toBe(K * saved.catalogue.dims);

    const other = await opened();
    const applied = await other.applyModel(bytes, {}, createFeaturizer({ dims: 32 }));
    expect(applied.k).toBe(K);
    expect(Array.from(applied.assigned)).toEqual(Array.from(trained));
    expect(Array.from(other.sweep().labelsOf(K))).toEqual(Array.from(trained));
    expect(
      other
        .sweep()
        .profiles(K)
        .clusters.map((c) => c.label),
    ).toEqual(names);
    const d = applied.drift;
    expect(d.users.new).toBe(0);
    expect(d.users.lost).toBe(0);
    expect(d.moved).toBe(0);
    expect(d.sizesAfter).toEqual(d.sizesBefore);
    expect(other.drift()).toBe(d);
    expect(applied.update).toBeNull();
    // The exports work on the applied clustering: every customer, under the saved names.
    const made = await other.sweep().exportAll(K, { top: 3, secret: null, epsilon: null });
    expect(made.assignments.rows).toBe(d.users.kept);
  }, 60_000);

  it('behaviour BERT: the saved int8 model, whitening and segment space place the sequences where training did', async () => {
    const runner = await opened('taste');
    await runner.encode({ ...textReq, kind: 'seqbert', seqbert: TINY }, createFeaturizer({ dims: 32 }));
    await runner.cluster(sweepReq);
    const trained = runner.sweep().labelsOf(K).slice();
    const { bytes } = await runner.saveModel(K);
    const saved = await readModelFile(bytes);
    expect(saved.seqbert?.whitening?.kept).toBeGreaterThan(1);
    // The segment space is saved as fitted, and places this log's customers exactly where it did.
    const space = runner.encoded!.segments!.space;
    expect(saved.seqbert?.segmentSpace).toMatchObject({ behaviourDims: 16, tasteDims: 32, tasteAxes: TASTE_AXES, tasteWeight: space.tasteWeight });
    expect(Array.from(saved.seqbert!.segmentSpace!.mean)).toEqual(Array.from(space.mean));
    expect(Array.from(saved.seqbert!.segmentSpace!.scale)).toEqual(Array.from(space.scale));
    expect(Array.from(saved.seqbert!.segmentSpace!.axes)).toEqual(Array.from(space.axes));
    expect(Array.from(saved.seqbert!.segmentSpace!.behaviourColumns)).toEqual(Array.from(space.behaviourColumns));
    expect(saved.clustering.d).toBe(space.behaviourColumns.length + TASTE_AXES);
    // A file whose space names BERT columns it does not have, or is cut short, is refused on reading.
    const wrongColumns = { ...saved.seqbert!.segmentSpace!, behaviourColumns: Int32Array.from(space.behaviourColumns, (c) => c + 100) };
    await expect(readModelFile(await writeModelFile({ ...saved, seqbert: { ...saved.seqbert!, segmentSpace: wrongColumns } }))).rejects.toMatchObject({
      name: 'ModelFileError',
      message: expect.stringMatching(/behaviour columns the model does not have/),
    });
    const short = { ...saved.seqbert!.segmentSpace!, axes: saved.seqbert!.segmentSpace!.axes.slice(1) };
    await expect(readModelFile(await writeModelFile({ ...saved, seqbert: { ...saved.seqbert!, segmentSpace: short } }))).rejects.toMatchObject({
      message: expect.stringMatching(/segment space has the wrong size/),
    });
    const other = await opened('taste');
    const applied = await other.applyModel(bytes, {}, createFeaturizer({ dims: 32 }));
    expect(other.encoded!.segments!.space).toEqual(saved.seqbert!.segmentSpace);
    expect(Array.from(other.encoded!.segments!.vectors)).toEqual(Array.from(runner.encoded!.segments!.vectors));
    let same = 0;
    for (let i = 0; i < trained.length; i++) if (applied.assigned[i] === trained[i]) same++;
    // Same weights, same whitening, nearest of the segments' means: every sequence where it was.
    expect(same / trained.length).toBeGreaterThanOrEqual(0.99);
    expect(applied.drift.users.kept).toBe(applied.drift.sizesAfter.reduce((a, b) => a + b, 0));
  }, 120_000);

  it('behaviour BERT of a model saved before the segment space: its own vectors, as then', async () => {
    // A log where a fit joins what they buy: a model without a space must not.
    const runner = await opened('taste');
    const { deserializeModel } = await import('../seqbert/serialize');
    const first = await runner.encode({ ...textReq, kind: 'seqbert', seqbert: TINY }, createFeaturizer({ dims: 32 }));
    expect(first.segments).not.toBeNull();
    const { serializeModel } = await import('../seqbert/serialize');
    const model = deserializeModel(serializeModel(first.seqbert!.model, 'int8'));
    const old = await runner.encode({ ...textReq, kind: 'seqbert', seqbert: TINY }, createFeaturizer({ dims: 32 }), {
      withModel: { model, hash: 'old' },
      whitening: first.seqbert!.whitening ?? null,
      segmentSpace: null,
    });
    expect(old.segments).toBeNull();
    expect(runner.clusterInput()).toMatchObject({ d: 16, vectors: old.vectors });
    expect((await runner.cluster(sweepReq)).source.taste).toBeUndefined();
  }, 120_000);

  it('refuses a foreign file and a wrong text encoder with a ModelFileError, before anything changes', async () => {
    const runner = await opened();
    await expect(runner.applyModel(new TextEncoder().encode('user,item\n1,2\n'), {}, createFeaturizer({ dims: 32 }))).rejects.toMatchObject({
      name: 'ModelFileError',
      code: 'not-a-model',
    });
    await runner.encode({ ...textReq, kind: 'featurizer' }, createFeaturizer({ dims: 32 }));
    await runner.cluster(sweepReq);
    const { bytes } = await runner.saveModel(K);
    const other = await opened();
    const e = await other.applyModel(bytes, {}, createFeaturizer({ dims: 64 })).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ModelFileError);
    expect((e as ModelFileError).code).toBe('incompatible');
    expect(other.encoded).toBeNull();
  }, 60_000);
});

describe('UCI Online Retail: trained on December to April, applied to May', () => {
  const src = '../shared/data/uci-online-retail/online-retail-2010-12_2011-05.csv';
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'seqlens-model-'));
    const lines = readFileSync(src, 'utf8').split('\n');
    const head = lines[0];
    const early: string[] = [head];
    const may: string[] = [head];
    for (let i = 1; i < lines.length; i++) {
      const l = lines[i];
      if (!l) continue;
      // InvoiceDate is the fifth column (descriptions may hold commas, so find the date by pattern).
      (/,2011-05-\d\d /.test(l) ? may : early).push(l);
    }
    writeFileSync(join(dir, 'dec-apr.csv'), `${early.join('\n')}\n`);
    writeFileSync(join(dir, 'may.csv'), `${may.join('\n')}\n`);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('gives a drift whose numbers add up', async () => {
    const open = async (name: string): Promise<PipelineRunner> => {
      const runner = new PipelineRunner();
      const analysis = await runner.read(fileSource(join(dir, name)), { fileName: name, sequence: { by: 'user' }, threads: null });
      await runner.use(analysis, '');
      return runner;
    };
    const train = await open('dec-apr.csv');
    await train.encode({ ...textReq, kind: 'featurizer' }, createFeaturizer({ dims: 64 }));
    await train.cluster({ ...sweepReq, kMin: 4, kMax: 4 });
    const { bytes } = await train.saveModel(4);
    const saved = await readModelFile(bytes);

    const may = await open('may.csv');
    const applied = await may.applyModel(bytes, { update: true }, createFeaturizer({ dims: 64 }));
    const d = applied.drift;
    const a = may.log!.analysis;
    const customers = a.sequences.count + a.sequences.left.reason.filter((r) => r === 1).length;
    expect(d.users.kept + d.users.new).toBe(customers);
    expect(d.sizesAfter.reduce((x, y) => x + y, 0)).toBe(customers);
    expect(d.users.kept + d.users.lost).toBe(saved.clustering.userIds.length);
    // Row i of the transitions: the kept customers of old segment i.
    const index = new Map(saved.clustering.userIds.map((id, i) => [id, saved.clustering.clusters[i]]));
    const mayIds = new Set<string>();
    const { table } = a.ingested;
    for (let s = 0; s < a.sequences.count; s++) mayIds.add(table.users[a.sequences.key[s]]);
    for (let i = 0; i < a.sequences.left.count; i++) if (a.sequences.left.reason[i] === 1) mayIds.add(table.users[a.sequences.left.key[i]]);
    const keptPerOld = new Array<number>(5).fill(0);
    for (const id of mayIds) {
      const c = index.get(id);
      if (c !== undefined) keptPerOld[c < 0 ? 4 : c]++;
    }
    d.transitions.forEach((row, i) => expect(row.reduce((x, y) => x + y, 0)).toBe(keptPerOld[i]));
    expect(d.users.kept).toBeGreaterThan(500);
    expect(d.users.new).toBeGreaterThan(100);
    expect(d.newItems).toBeGreaterThan(0);
    expect(applied.update?.shift.length).toBe(4);
    // Unseen: new ids, and known ids the model has no text vector for (in training they were only in short or bot sequences).
    expect(applied.unseenItems).toBeGreaterThanOrEqual(d.newItems);
    // The new items listed are May's busiest, with their UCI descriptions.
    const events = new Map<string, number>();
    for (let e = 0; e < table.length; e++) events.set(table.items[table.item[e]], (events.get(table.items[table.item[e]]) ?? 0) + 1);
    const listed = d.newItemIds.map((id) => events.get(id) ?? 0);
    for (let i = 1; i < listed.length; i++) expect(listed[i]).toBeLessThanOrEqual(listed[i - 1]);
    expect(d.newItemTitles).toHaveLength(d.newItemIds.length);
    expect(d.newItemTitles.filter((t) => t !== '').length).toBeGreaterThan(d.newItemTitles.length / 2);
  }, 180_000);
});
