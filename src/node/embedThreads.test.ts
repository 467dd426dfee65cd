// The behaviour BERT's embedding with a helper thread (pipeline/seqbert/embedThreads.ts): the
// helper really embeds its share of the batches, and the vectors are those of one thread to the
// last bit; a helper that cannot start or dies leaves its batches to the calling thread.
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeStream } from '../pipeline/analyze';
import { createFeaturizer } from '../pipeline/encode';
import { embedItemTexts, itemVectorsByItem } from '../pipeline/gcn/features';
import { embedBothPoolings, embedSequences, trainSeqBert, type SeqBertInput, type SeqBertModel } from '../pipeline/seqbert';
import { behaviourCsvStream, generateBehaviourLog } from '../pipeline/synth';
import type { HelperThreads, ThreadPort } from '../pipeline/threads';
import { nodeHelperThreads } from './helperThreads';

let input: SeqBertInput;
let model: SeqBertModel;
/** 8 sequences a batch: the log's 300 customers make 38 batches, past the threaded minimum. */
const BATCH = 8;

beforeAll(async () => {
  const log = generateBehaviourLog({ seed: 7, users: 300, items: 90, categories: 6, days: 28 });
  const a = await analyzeStream(behaviourCsvStream(log), { fileName: 'b.csv', totalBytes: null, sequence: { by: 'user' } });
  const texts = await embedItemTexts(a.ingested.table, a.sequences, createFeaturizer({ dims: 16 }));
  input = { table: a.ingested.table, sequences: a.sequences, itemVectors: itemVectorsByItem(texts), itemDims: texts.dims };
  model = await trainSeqBert(input, { layers: 1, hidden: 16, heads: 2, maxLen: 24, batchSize: 32, backend: 'wasm', epochs: 1, patience: 0, tokenBudget: 0 });
}, 120_000);

/** Node's helper threads, counting the batches the helpers sent back. */
function counted(size: number): { threads: HelperThreads; batches: () => number } {
  const inner = nodeHelperThreads(size);
  let batches = 0;
  return {
    threads: {
      size,
      spawn() {
        const port = inner.spawn();
        return {
          ...port,
          onMessage: (listener) =>
            port.onMessage((m) => {
              if ((m as { type?: string }).type === 'embed-batch') batches++;
              listener(m);
            }),
        };
      },
    },
    batches: () => batches,
  };
}

describe('embedding on helper threads', () => {
  it('a helper embeds every other batch, and the vectors equal one thread’s', async () => {
    expect(input.sequences.count).toBeGreaterThan(24 * BATCH);
    const one = await embedSequences(model, input, { batchSize: BATCH, whiten: false });
    const two = counted(2);
    const threaded = await embedSequences(model, input, { batchSize: BATCH, whiten: false, helpers: two.threads });
    expect(two.batches()).toBe(Math.floor(Math.ceil(input.sequences.count / BATCH) / 2));
    expect(Array.from(threaded.vectors)).toEqual(Array.from(one.vectors));
    // Both passes (the behaviour reading is a second one) and every pooling.
    const both = await embedBothPoolings(model, input, { batchSize: BATCH, whiten: false });
    const bothThreaded = await embedBothPoolings(model, input, { batchSize: BATCH, whiten: false, helpers: nodeHelperThreads(3) });
    for (const how of ['behaviour', 'mean', 'cls'] as const) expect(Array.from(bothThreaded[how].vectors)).toEqual(Array.from(both[how].vectors));
  }, 120_000);

  it('a helper that cannot start, or dies, leaves its batches to the calling thread', async () => {
    const one = await embedSequences(model, input, { batchSize: BATCH, whiten: false });
    const failing: HelperThreads = {
      size: 2,
      spawn() {
        throw new Error('no threads here');
      },
    };
    expect(Array.from((await embedSequences(model, input, { batchSize: BATCH, whiten: false, helpers: failing })).vectors)).toEqual(Array.from(one.vectors));
    // A helper that dies at once.
    const dying: HelperThreads = {
      size: 2,
      spawn(): ThreadPort {
        let onError: ((reason: string) => void) | null = null;
        return {
          postMessage: () => setTimeout(() => onError?.('the helper thread exited with code 1'), 5),
          onMessage: () => {},
          onError: (l) => {
            onError = l;
          },
          terminate: () => {},
        };
      },
    };
    expect(Array.from((await embedSequences(model, input, { batchSize: BATCH, whiten: false, helpers: dying })).vectors)).toEqual(Array.from(one.vectors));
  }, 120_000);
});
