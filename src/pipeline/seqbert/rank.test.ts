// The masked-item head as a ranker: on a log where each user only views the two items of one pair
// (4 pairs), the next event's item is one of that pair, and a trained model must rank one of them
// first far more often than chance (2 in 8); item rows are the model's input embeddings of every item.
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeStream } from '../analyze';
import { createFeaturizer } from '../encode';
import { embedItemTexts, itemVectorsByItem } from '../gcn/features';
import { Random } from '../numeric/sfc32';
import { trainSeqBert, type SeqBertInput, type SeqBertModel } from './index';
import { itemRows, scoreNextItems } from './rank';

/** 200 users, each viewing the items p<k>i0 and p<k>i1 of its pair k at random, 12 times, an hour apart. */
function pairLog(): string {
  const rng = new Random(11);
  const rows = ['user_id,item_id,title,event_type,timestamp'];
  const start = Date.UTC(2024, 0, 1);
  for (let u = 0; u < 200; u++) {
    const pair = rng.int(4);
    for (let t = 0; t < 12; t++) {
      const item = `p${pair}i${rng.int(2)}`;
      rows.push(`u${u},${item},gadget ${item},view,${new Date(start + (u * 100 + t) * 3_600_000).toISOString()}`);
    }
  }
  return rows.join('\n');
}

let input: SeqBertInput;
let model: SeqBertModel;

beforeAll(async () => {
  const a = await analyzeStream(new Blob([pairLog()]).stream(), { fileName: 'cycle.csv', totalBytes: null, sequence: { by: 'user', dedupeSeconds: 0 } });
  const texts = await embedItemTexts(a.ingested.table, a.sequences, createFeaturizer({ dims: 16 }));
  input = { table: a.ingested.table, sequences: a.sequences, itemVectors: itemVectorsByItem(texts), itemDims: texts.dims };
  model = await trainSeqBert(input, { layers: 1, hidden: 16, heads: 2, maxLen: 16, epochs: 12, patience: 0, batchSize: 32, backend: 'wasm' });
}, 120_000); // 12 epochs: a few seconds alone, far more on a loaded machine

describe('scoreNextItems', () => {
  it("ranks an item of the user's pair first far more often than chance", async () => {
    const { table, sequences } = input;
    const seqs = Int32Array.from({ length: sequences.count }, (_, i) => i);
    let hits = 0;
    const seen: number[] = [];
    await scoreNextItems(
      model,
      input,
      seqs,
      (k, scores) => {
        seen.push(k);
        expect(scores.length).toBe(table.items.length);
        let best = 0;
        for (let i = 1; i < scores.length; i++) if (scores[i] > scores[best]) best = i;
        // The pair of the sequence's (any) event: "p<k>".
        const pair = table.items[table.item[sequences.events[sequences.offsets[seqs[k]]]]].slice(0, 2);
        if (table.items[best].slice(0, 2) === pair) hits++;
      },
      { batchSize: 64 },
    );
    expect(seen).toEqual(Array.from(seqs));
    // Chance is 2 in 8.
    expect(hits / seqs.length).toBeGreaterThan(0.8);
  });

  it('gives the same scores whatever the batch size', async () => {
    const seqs = Int32Array.from([5, 0, 17, 3]);
    const collect = async (batchSize: number): Promise<Float32Array[]> => {
      const out: Float32Array[] = [];
      await scoreNextItems(model, input, seqs, (_k, s) => out.push(s.slice()), { batchSize });
      return out;
    };
    const one = await collect(1);
    const all = await collect(4);
    for (let k = 0; k < seqs.length; k++) for (let i = 0; i < one[k].length; i++) expect(all[k][i]).toBeCloseTo(one[k][i], 4);
  });

  it('refuses a model of another log', async () => {
    const other = { ...model, vocab: { ...model.vocab, itemIds: model.vocab.itemIds.slice().reverse() } };
    await expect(scoreNextItems(other, input, Int32Array.of(0), () => {})).rejects.toThrow(/trained on another log/);
  });
});

describe('itemRows', () => {
  it('gives one hidden-wide input embedding per item, close between int8 and float32', async () => {
    const q = await itemRows(model, input);
    const f = await itemRows(model, input, { quantized: false });
    const h = model.architecture.hidden;
    expect(q.length).toBe(input.table.items.length * h);
    for (let i = 0; i < input.table.items.length; i++) {
      let dot = 0;
      let nq = 0;
      let nf = 0;
      for (let j = 0; j < h; j++) {
        dot += q[i * h + j] * f[i * h + j];
        nq += q[i * h + j] ** 2;
        nf += f[i * h + j] ** 2;
      }
      expect(nf).toBeGreaterThan(0);
      expect(dot / Math.sqrt(nq * nf)).toBeGreaterThan(0.98);
    }
  });
});
