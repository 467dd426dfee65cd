// The behaviour BERT kept with the analysis and in model files: a trained model is stored (as
// serialize.ts bytes, with its vectors) under the encode key and restored without training; a
// model file embeds the log without training and gives the in-memory model's vectors; a bad file
// says what is wrong; Stop keeps the model trained so far (not stored). Tiny sizes, wasm backend.
import { describe, expect, it } from 'vitest';
import { analyzeStream } from '../analyze';
import { createFeaturizer, EncoderError } from '../encode';
import { serializeModel } from '../seqbert';
import { behaviourCsvStream, generateBehaviourLog } from '../synth';
import { PipelineRunner } from './runner';
import type { ResultStore, Stage } from './resultStore';
import type { SeqBertOptions } from '../seqbert';

const TINY: Partial<SeqBertOptions> = { layers: 1, hidden: 16, heads: 2, maxLen: 24, epochs: 2, batchSize: 32, backend: 'wasm' };
const textReq = { model: 'featurizer', mode: 'items' as const, weights: {}, halfLifeDays: 0 };
const bertReq = { ...textReq, kind: 'seqbert' as const, seqbert: TINY };
const featurizer = () => createFeaturizer({ dims: 32 });

const log = generateBehaviourLog({ seed: 5, users: 70, items: 50, categories: 5, days: 28 });

/** An in-memory result store that clones like IndexedDB does. */
function memoryStore(): ResultStore & { stages: Stage[]; values: Map<string, unknown> } {
  const values = new Map<string, unknown>();
  const stages: Stage[] = [];
  return {
    values,
    stages,
    get: async <T>(key: string) => (values.has(key) ? (structuredClone(values.get(key)) as T) : null),
    put: async (key, stage, _analysis, value) => {
      stages.push(stage);
      values.set(key, structuredClone(value));
      return null;
    },
  };
}

async function opened(store?: ResultStore, l = log, id = 'behaviour-5'): Promise<PipelineRunner> {
  const runner = new PipelineRunner({ store });
  const analysis = await analyzeStream(behaviourCsvStream(l), { fileName: 'behaviour.csv', totalBytes: null, sequence: { by: 'user' } });
  await runner.use(analysis, id);
  return runner;
}

describe('the behaviour BERT kept with the analysis', () => {
  it('is stored as model bytes under the encode key, and a reload restores model and vectors without training', async () => {
    const store = memoryStore();
    const first = await opened(store);
    const trained = await first.encode(bertReq, featurizer());
    expect(trained.seqbert!.source).toBe('trained');
    expect(store.stages).toEqual(['encode']);
    const kept = store.values.get(trained.key) as { model: unknown };
    expect(kept.model).toBeInstanceOf(Uint8Array);

    // A new page: another runner on the same log and store.
    const again = await opened(store);
    let progress = 0;
    const restored = await again.encode(bertReq, featurizer(), { onSeqBert: () => progress++ });
    expect(progress).toBe(0);
    expect(restored.key).toBe(trained.key);
    expect(restored.seqbert!.source).toBe('restored');
    expect(restored.vectors).toEqual(trained.vectors);
    expect(restored.items).toEqual(trained.items);
    expect(restored.seqbert!.report.epochs).toBe(trained.seqbert!.report.epochs);
    expect(restored.seqbert!.report.loss).toEqual(trained.seqbert!.report.loss);
    // The restored model is a working model: its file is the trained one's.
    expect(await again.seqBertModelFile()).toEqual(serializeModel(trained.seqbert!.model));
    // Other settings are another key: trained afresh.
    const other = await again.encode({ ...bertReq, seqbert: { ...TINY, epochs: 1 } }, featurizer());
    expect(other.seqbert!.source).toBe('trained');
  });

  it('Stop ends training early, keeps the model trained so far, and does not store it', async () => {
    const store = memoryStore();
    const r = await opened(store);
    const stop = { requested: false };
    const encoded = await r.encode({ ...bertReq, seqbert: { ...TINY, epochs: 30, patience: 0 } }, featurizer(), {
      stop,
      onSeqBert: () => (stop.requested = true),
    });
    expect(encoded.seqbert!.report.stopReason).toBe('stop');
    expect(encoded.seqbert!.report.epochs).toBeLessThan(30);
    expect(encoded.vectors.length).toBe(encoded.n * 16);
    expect(r.encoded).toBe(encoded);
    expect(store.stages).toEqual([]);
  });
});

describe('a behaviour BERT model file', () => {
  it('embeds the log without training and gives the in-memory model its vectors', async () => {
    const r = await opened();
    const trained = await r.encode(bertReq, featurizer());
    const bytes = await r.seqBertModelFile();
    const fresh = await opened();
    let progress = 0;
    const loaded = await fresh.encodeWithModel(bytes, { ...textReq, seqbert: { backend: 'wasm' } }, featurizer(), { onSeqBert: () => progress++ });
    expect(progress).toBe(0);
    expect(loaded.kind).toBe('seqbert');
    expect(loaded.seqbert!.source).toBe('file');
    expect(loaded.seqbert!.report.epochs).toBe(trained.seqbert!.report.epochs);
    expect(loaded.vectors).toEqual(trained.vectors);
    expect(loaded.items).toEqual(trained.items);
    expect(loaded.key).not.toBe(trained.key);
    expect(fresh.encoded).toBe(loaded);
    // Its vectors are clustered like any encoder's.
    const swept = await fresh.cluster({ kMin: 2, kMax: 3, device: 'cpu', threads: 'off' });
    expect(swept.source.model).toBe('seqbert');
  });

  it("embeds another log's sequences, its items matched by id", async () => {
    const r = await opened();
    await r.encode(bertReq, featurizer());
    const bytes = await r.seqBertModelFile();
    const other = await opened(undefined, generateBehaviourLog({ seed: 9, users: 40, items: 30, categories: 5, days: 21 }), 'behaviour-9');
    const loaded = await other.encodeWithModel(bytes, textReq, featurizer());
    const n = other.log!.analysis.sequences.count;
    expect(loaded.vectors.length).toBe(n * 16);
    expect(loaded.items.length).toBe(other.log!.analysis.ingested.table.items.length * 16);
    expect(loaded.itemDims).toBe(16);
  });

  it('that is corrupt, of another format or of other item vectors gives a clear error and changes nothing', async () => {
    const r = await opened();
    const trained = await r.encode(bertReq, featurizer());
    const bytes = await r.seqBertModelFile();

    const truncated = r.encodeWithModel(bytes.subarray(0, bytes.length - 100), textReq, featurizer());
    await expect(truncated).rejects.toBeInstanceOf(EncoderError);
    await expect(truncated).rejects.toMatchObject({
      code: 'model-corrupt',
      message: expect.stringMatching(/not a behaviour BERT model file \(truncated data\).*Choose a \.seqbert file/),
    });

    // A format-1 file: the header's format number rewritten.
    const len = new DataView(bytes.buffer, bytes.byteOffset).getUint32(4, true);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + len))) as { format: number };
    const json = new TextEncoder().encode(JSON.stringify({ ...header, format: 1 }).padEnd(len, ' '));
    const old = bytes.slice();
    old.set(json, 8);
    await expect(r.encodeWithModel(old, textReq, featurizer())).rejects.toMatchObject({ message: expect.stringMatching(/format 1, this version reads 2/) });

    await expect(r.encodeWithModel(new TextEncoder().encode('user,item,time\n'), textReq, featurizer())).rejects.toMatchObject({
      message: expect.stringMatching(/wrong signature/),
    });

    // Item features of another size (a 48-number featuriser against the model's 32).
    await expect(r.encodeWithModel(bytes, textReq, createFeaturizer({ dims: 48 }))).rejects.toMatchObject({
      code: 'model-wrong-layout',
      message: expect.stringMatching(/item vectors of 32 numbers.*gives 48.*train a new behaviour model/),
    });
    // What was on screen stays: the first error came before any encoding; the last failed before it was adopted.
    expect(r.encoded).toBe(trained);
  });
});
