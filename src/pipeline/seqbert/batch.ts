// Host-side batches: typed arrays in the encoder's layout (see model.ts), with masked-event
// targets. Items are renumbered per batch into rows of a small item table: the softmax candidates
// first (every item with a full softmax; else the masked targets, then the shared sampled
// negatives), then the other items the inputs use, so the loss scores a prefix of the table.

import type { Random } from '../numeric/sfc32';
import { ITEM_CLS, ITEM_MASK, ITEM_PAD, ITEM_SPECIALS, typeCls, typeMask, typePad } from './model';
import type { SeqTokens } from './tokens';

/** One row of a batch: tokens [from, from + len) of sequence `seq` (a crop when shorter than the sequence). */
export interface BatchEntry {
  seq: number;
  from: number;
  len: number;
  /**
   * Share of this row's unmasked events whose item is swapped for a random one (needs a mask
   * spec for its random stream): the contrastive view that keeps how someone shops (event types,
   * gaps, order) but not what they buy.
   */
  itemNoise?: number;
  /**
   * Read the row with every item hidden (the mask row at each event; types, gaps, item recency and
   * visit position kept) and mask nothing: the behaviour view that the sequence embedding and the
   * contrastive objective use, so that they cannot tell people apart by what they buy.
   */
  anonymous?: boolean;
}

export interface MaskSpec {
  rate: number;
  rng: Random;
  /** Candidate rows: 'full' = every item; else this many shared negatives drawn uniformly. */
  negatives: number | 'full';
}

export interface HostBatch {
  B: number;
  T: number;
  itemRow: Int32Array;
  type: Int32Array;
  gap: Int32Array;
  /** Item recency bucket (tokens.ts); GAP_PAD at padding, CLS and masked tokens (it would tell a repeat). */
  recency: Int32Array;
  /** Position within the visit (tokens.ts); 0 at padding and CLS. */
  sessionPos: Int32Array;
  keyBias: Float32Array;
  /** 1 at real event tokens (what mean pooling averages). */
  poolMask: Float32Array;
  /** Table items of item rows ITEM_SPECIALS.. in order. */
  rowItems: Int32Array;
  /** The first `candidates` item rows are what the masked-item softmax scores. */
  candidates: number;
  /** Masked tokens: flat index b*T+c, target item row minus ITEM_SPECIALS, target type. */
  maskedAt: Int32Array;
  targetRow: Int32Array;
  targetType: Int32Array;
  /** Real event tokens in the batch. */
  tokens: number;
}

/** Reusable item -> row map (all -1 between batches). */
export class RowMap {
  private readonly rowOf: Int32Array;
  private readonly used: number[] = [];
  constructor(items: number) {
    this.rowOf = new Int32Array(items).fill(-1);
  }
  /** Row of item (assigning the next one); rows count from 0 here. */
  row(item: number): number {
    let r = this.rowOf[item];
    if (r < 0) {
      r = this.used.length;
      this.rowOf[item] = r;
      this.used.push(item);
    }
    return r;
  }
  has(item: number): boolean {
    return this.rowOf[item] >= 0;
  }
  get size(): number {
    return this.used.length;
  }
  /** The items in row order; clears the map. */
  take(): Int32Array {
    const out = Int32Array.from(this.used);
    for (const i of this.used) this.rowOf[i] = -1;
    this.used.length = 0;
    return out;
  }
}

/**
 * Chooses the masked tokens of one sequence: round(rate * n) of them, at least one, distinct.
 * Writes their offsets (0..n-1) into `out` and returns how many.
 */
export function chooseMasked(n: number, rate: number, rng: Random, scratch: Int32Array, out: Int32Array): number {
  const k = Math.min(n, Math.max(1, Math.round(rate * n)));
  for (let i = 0; i < n; i++) scratch[i] = i;
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(n - i);
    const t = scratch[i];
    scratch[i] = scratch[j];
    scratch[j] = t;
    out[i] = scratch[i];
  }
  return k;
}

export function buildBatch(tok: SeqTokens, entries: readonly BatchEntry[], types: number, items: number, rows: RowMap, mask: MaskSpec | null): HostBatch {
  const B = entries.length;
  let maxLen = 0;
  for (const e of entries) maxLen = Math.max(maxLen, e.len);
  const T = maxLen + 1;
  const N = B * T;
  const itemRow = new Int32Array(N).fill(ITEM_PAD);
  const type = new Int32Array(N).fill(typePad(types));
  const gap = new Int32Array(N); // GAP_PAD
  const recency = new Int32Array(N); // GAP_PAD
  const sessionPos = new Int32Array(N);
  const keyBias = new Float32Array(N).fill(-1e9);
  const poolMask = new Float32Array(N);

  // Masked offsets per entry, chosen first so their targets get the first rows.
  const maskedCount = new Int32Array(B);
  const maskedOff: Int32Array[] = [];
  const scratch = new Int32Array(Math.max(1, maxLen));
  let M = 0;
  if (mask) {
    for (let b = 0; b < B; b++) {
      const o = new Int32Array(Math.max(1, entries[b].len));
      if (entries[b].anonymous) {
        maskedOff.push(o);
        continue;
      }
      maskedCount[b] = chooseMasked(entries[b].len, mask.rate, mask.rng, scratch, o);
      maskedOff.push(o);
      M += maskedCount[b];
    }
  }
  const full = mask?.negatives === 'full';
  if (full) for (let i = 0; i < items; i++) rows.row(i);
  const maskedAt = new Int32Array(M);
  const targetRow = new Int32Array(M);
  const targetType = new Int32Array(M);
  const isMasked = new Uint8Array(N);
  let m = 0;
  for (let b = 0; b < B; b++) {
    const { seq, from, len } = entries[b];
    const base = tok.offsets[seq] + from;
    const col0 = T - 1 - len;
    for (let i = 0; i < maskedCount[b]; i++) {
      const off = maskedOff[b][i];
      const at = b * T + col0 + off;
      maskedAt[m] = at;
      targetRow[m] = rows.row(tok.item[base + off]);
      targetType[m] = tok.type[base + off];
      isMasked[at] = 1;
      m++;
    }
  }
  if (mask && !full) {
    const k = mask.negatives as number;
    for (let i = 0; i < k && rows.size < items; i++) rows.row(mask.rng.int(items));
  }
  const candidates = rows.size;

  let tokens = 0;
  for (let b = 0; b < B; b++) {
    const { seq, from, len } = entries[b];
    const base = tok.offsets[seq] + from;
    const col0 = T - 1 - len;
    const anonymous = entries[b].anonymous === true;
    for (let i = 0; i < len; i++) {
      const at = b * T + col0 + i;
      const t = base + i;
      if (anonymous) {
        itemRow[at] = ITEM_MASK;
        type[at] = tok.type[t];
        gap[at] = tok.gap[t];
        if (tok.recency) recency[at] = tok.recency[t];
        if (tok.sessionPos) sessionPos[at] = tok.sessionPos[t];
        keyBias[at] = 0;
        poolMask[at] = 1;
        continue;
      }
      let it = tok.item[t];
      let ty = tok.type[t];
      const noise = entries[b].itemNoise ?? 0;
      if (noise > 0 && mask && !isMasked[at] && mask.rng.float() < noise) it = mask.rng.int(items);
      if (isMasked[at] && mask) {
        // BERT's 80/10/10: the mask token, a random item, or the event unchanged.
        const u = mask.rng.float();
        if (u < 0.8) {
          it = -1;
          ty = typeMask(types);
        } else if (u < 0.9) {
          it = mask.rng.int(items);
        }
      }
      itemRow[at] = it < 0 ? ITEM_MASK : ITEM_SPECIALS + rows.row(it);
      type[at] = ty;
      // The first token of a crop keeps its gap bucket: the gap to the event before it is real.
      gap[at] = tok.gap[t];
      if (tok.recency && !isMasked[at]) recency[at] = tok.recency[t];
      if (tok.sessionPos) sessionPos[at] = tok.sessionPos[t];
      keyBias[at] = 0;
      poolMask[at] = 1;
    }
    tokens += len;
    const cls = b * T + T - 1;
    itemRow[cls] = ITEM_CLS;
    type[cls] = typeCls(types);
    keyBias[cls] = 0;
  }
  return { B, T, itemRow, type, gap, recency, sessionPos, keyBias, poolMask, rowItems: rows.take(), candidates, maskedAt, targetRow, targetType, tokens };
}
