// The behaviour graph: one node per sequence (a user, when grouping by user) and one per item of the
// table, user-item links weighted by event type and recency, item-item links from consecutive
// events, and self-loops, normalised as D^-1/2 (A + I) D^-1/2. Everything is built from typed
// arrays through coordinate lists and counting sorts; there is no object per edge.

import type { EventTable } from '../ingest/table';
import type { Sequences } from '../sequences';
import { decay, typeWeights } from '../encode/weights';
import { cooToCsr, nnz, type Csr } from './csr';
import { resolveGraphOptions, type GraphOptions } from './options';
import { CooBuffer } from './coo';

/** The parts of the event table the graph reads. */
export type GraphEvents = Pick<EventTable, 'item' | 'type' | 'time' | 'typeNames' | 'items'>;
export type GraphSequences = Pick<Sequences, 'count' | 'offsets' | 'events'>;

export interface Graph {
  /** Sequence nodes come first: node s is sequence s. */
  users: number;
  /** Item nodes follow: node users + i is table item i (items no sequence uses keep only a self-loop). */
  items: number;
  nodes: number;
  /** D^-1/2 (A + I) D^-1/2, symmetric, so it is its own transpose. */
  adj: Csr;
  /** Weighted degree of each node in A (+ I): the row sums that were normalised by. */
  degree: Float64Array;
  /**
   * Positive user-item pairs (users x items, the summed and compressed weight): what training
   * learns to rank high and what ranking leaves out. Kept even when `userItem` edges are off.
   */
  links: Csr;
  /** Undirected edges of each kind, and nodes with no edge but their self-loop. */
  counts: { userItem: number; transitions: number; selfLoops: number; isolated: number };
  options: GraphOptions;
}

export function buildGraph(table: GraphEvents, sequences: GraphSequences, options: Partial<GraphOptions> = {}): Graph {
  const opts = resolveGraphOptions(options);
  const users = sequences.count;
  const items = table.items.length;
  const nodes = users + items;
  const links = userItemLinks(table, sequences, opts);
  const trans = opts.transitions ? transitionLinks(table, sequences, opts) : null;

  const L = nnz(links);
  const T = trans ? nnz(trans) : 0;
  const coo = new CooBuffer((opts.userItem ? 2 * L : 0) + T + (opts.selfLoops ? nodes : 0));
  if (opts.userItem) {
    for (let u = 0; u < users; u++) {
      for (let k = links.rowPtr[u]; k < links.rowPtr[u + 1]; k++) {
        const i = users + links.colIdx[k];
        coo.push(u, i, links.values[k]);
        coo.push(i, u, links.values[k]);
      }
    }
  }
  if (trans) {
    for (let a = 0; a < items; a++) for (let k = trans.rowPtr[a]; k < trans.rowPtr[a + 1]; k++) coo.push(users + a, users + trans.colIdx[k], trans.values[k]);
  }
  if (opts.selfLoops) for (let n = 0; n < nodes; n++) coo.push(n, n, opts.selfLoopWeight);
  const adj = cooToCsr(nodes, nodes, coo.r, coo.c, coo.v, coo.length);
  const degree = normalizeSymmetric(adj);

  let isolated = 0;
  for (let n = 0; n < nodes; n++) {
    const lo = adj.rowPtr[n];
    const len = adj.rowPtr[n + 1] - lo;
    if (len === 0 || (len === 1 && adj.colIdx[lo] === n)) isolated++;
  }
  return {
    users,
    items,
    nodes,
    adj,
    degree,
    links,
    counts: { userItem: opts.userItem ? L : 0, transitions: T / 2, selfLoops: opts.selfLoops ? nodes : 0, isolated },
    options: opts,
  };
}

/**
 * Scales each entry a_rc by 1 / sqrt(d_r d_c) in place, d being row sums; returns the sums. A node
 * without any entry (no links, no self-loop) has an empty row and is left alone, not divided by 0.
 */
export function normalizeSymmetric(a: Csr): Float64Array {
  const degree = new Float64Array(a.rows);
  for (let r = 0; r < a.rows; r++) {
    let s = 0;
    for (let k = a.rowPtr[r]; k < a.rowPtr[r + 1]; k++) s += a.values[k];
    degree[r] = s;
  }
  const inv = new Float64Array(a.rows);
  for (let r = 0; r < a.rows; r++) inv[r] = degree[r] > 0 ? 1 / Math.sqrt(degree[r]) : 0;
  for (let r = 0; r < a.rows; r++) {
    for (let k = a.rowPtr[r]; k < a.rowPtr[r + 1]; k++) a.values[k] = a.values[k] * inv[r] * inv[a.colIdx[k]];
  }
  return degree;
}

function compressor(opts: GraphOptions): (w: number) => number {
  return opts.compress === 'log1p' ? Math.log1p : (w) => w;
}

/** Summed event weights of each (sequence, item) pair that comes out positive. */
function userItemLinks(table: GraphEvents, sequences: GraphSequences, opts: GraphOptions): Csr {
  const w = typeWeights(table.typeNames, opts.eventWeights);
  const compress = compressor(opts);
  const items = table.items.length;
  const acc = new Float64Array(items);
  const mass = new Float64Array(items);
  const touched = new Int32Array(items);
  const seen = new Uint8Array(items);
  const coo = new CooBuffer(Math.min(sequences.events.length, 1 << 16));
  const { offsets, events } = sequences;
  for (let s = 0; s < sequences.count; s++) {
    const lo = offsets[s];
    const hi = offsets[s + 1];
    if (hi <= lo) continue;
    const now = table.time[events[hi - 1]];
    let nTouched = 0;
    for (let k = lo; k < hi; k++) {
      const e = events[k];
      const i = table.item[e];
      const weight = w[table.type[e]] * decay(now - table.time[e], opts.halfLifeDays);
      if (!seen[i]) {
        seen[i] = 1;
        touched[nTouched++] = i;
      }
      acc[i] += weight;
      mass[i] += Math.abs(weight);
    }
    for (let t = 0; t < nTouched; t++) {
      const i = touched[t];
      // Relative to the weights involved: a purchase cancelled by its return leaves float dust.
      if (acc[i] > 1e-9 * mass[i]) coo.push(s, i, compress(acc[i]));
      acc[i] = 0;
      mass[i] = 0;
      seen[i] = 0;
    }
  }
  return cooToCsr(sequences.count, items, coo.r, coo.c, coo.v, coo.length);
}

/** Item-item weights from consecutive events of a sequence, both directions summed (undirected). */
function transitionLinks(table: GraphEvents, sequences: GraphSequences, opts: GraphOptions): Csr {
  const items = table.items.length;
  const maxGapMs = opts.transitionMaxGapMinutes > 0 ? opts.transitionMaxGapMinutes * 60_000 : Infinity;
  const coo = new CooBuffer(Math.min(2 * sequences.events.length, 1 << 16));
  const { offsets, events } = sequences;
  for (let s = 0; s < sequences.count; s++) {
    for (let k = offsets[s] + 1; k < offsets[s + 1]; k++) {
      const prev = events[k - 1];
      const e = events[k];
      const a = table.item[prev];
      const b = table.item[e];
      if (a === b) continue;
      // NaN gaps (no time column) pass: then order is all there is.
      if (table.time[e] - table.time[prev] > maxGapMs) continue;
      coo.push(a, b, opts.transitionWeight);
      coo.push(b, a, opts.transitionWeight);
    }
  }
  const sums = cooToCsr(items, items, coo.r, coo.c, coo.v, coo.length);
  const compress = compressor(opts);
  for (let k = 0; k < sums.values.length; k++) sums.values[k] = compress(sums.values[k]);
  return dropZeros(sums);
}

/** A transition weight of 0 (the option) would leave explicit zeros; they cost work and mean nothing. */
function dropZeros(a: Csr): Csr {
  const n = nnz(a);
  let keep = 0;
  for (let k = 0; k < n; k++) if (a.values[k] !== 0) keep++;
  if (keep === n) return a;
  const rowPtr = new Int32Array(a.rows + 1);
  const colIdx = new Int32Array(keep);
  const values = new Float32Array(keep);
  let out = 0;
  for (let r = 0; r < a.rows; r++) {
    for (let k = a.rowPtr[r]; k < a.rowPtr[r + 1]; k++) {
      if (a.values[k] === 0) continue;
      colIdx[out] = a.colIdx[k];
      values[out++] = a.values[k];
    }
    rowPtr[r + 1] = out;
  }
  return { rows: a.rows, cols: a.cols, rowPtr, colIdx, values };
}
