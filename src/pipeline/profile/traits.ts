// Behaviour traits: what each cluster's customers typically do, against everybody. One number per
// customer for each trait (how often they order, how recently they were seen, basket size, spend,
// time between orders, activity), the cluster's median against the overall median; the traits
// whose ratio is furthest from 1 are what sets the cluster apart, and name it (label.ts).
// Medians, not means: one wholesale customer must not make a whole cluster "high spend".

import { PURCHASE } from '../ingest/eventTypes';
import type { EventTable } from '../ingest/table';
import type { Sequences } from '../sequences';
import type { UserDigest } from './digest';
import type { Trait, TraitKey } from './types';

const DAY_MS = 86_400_000;

/** Per customer (sequence), each trait's value; NaN where it has none (no time, a single order...). */
export interface TraitValues {
  orders: Float64Array;
  spend: Float64Array | null;
  basket: Float64Array;
  recency: Float64Array | null;
  cadence: Float64Array | null;
  events: Float64Array;
}

export function traitValues(table: EventTable, sequences: Sequences, d: UserDigest, exclude: Uint8Array | null): TraitValues {
  const n = sequences.count;
  const { offsets, events } = sequences;
  const orders = new Float64Array(n);
  const basket = new Float64Array(n).fill(Number.NaN);
  const len = new Float64Array(n);
  const hasTime = table.hasTime;
  const first = new Float64Array(n).fill(Number.NaN);
  const last = new Float64Array(n).fill(Number.NaN);
  let end = -Infinity;
  for (let u = 0; u < n; u++) {
    const o = d.orderStart[u + 1] - d.orderStart[u];
    orders[u] = o;
    len[u] = offsets[u + 1] - offsets[u];
    let bought = 0;
    for (let j = offsets[u]; j < offsets[u + 1]; j++) {
      const e = events[j];
      if (exclude !== null && exclude[table.item[e]] === 1) continue;
      if (table.type[e] === PURCHASE) bought++;
    }
    if (o > 0) basket[u] = bought / o;
    if (hasTime && offsets[u + 1] > offsets[u]) {
      first[u] = table.time[events[offsets[u]]];
      last[u] = table.time[events[offsets[u + 1] - 1]];
      if (last[u] > end) end = last[u];
    }
  }
  let recency: Float64Array | null = null;
  let cadence: Float64Array | null = null;
  if (hasTime && Number.isFinite(end)) {
    recency = new Float64Array(n);
    cadence = new Float64Array(n).fill(Number.NaN);
    for (let u = 0; u < n; u++) {
      recency[u] = (end - last[u]) / DAY_MS;
      if (orders[u] >= 2) cadence[u] = (last[u] - first[u]) / DAY_MS / (orders[u] - 1);
    }
  }
  return { orders, spend: table.hasPrice ? Float64Array.from(d.revenue) : null, basket, recency, cadence, events: len };
}

/** Median of the finite values of `v` at positions `order[lo..hi)`; NaN if none. */
function medianOf(v: Float64Array, order: Int32Array, lo: number, hi: number): number {
  const xs: number[] = [];
  for (let p = lo; p < hi; p++) {
    const x = v[order[p]];
    if (Number.isFinite(x)) xs.push(x);
  }
  if (xs.length === 0) return Number.NaN;
  xs.sort((a, b) => a - b);
  const m = xs.length >> 1;
  return xs.length % 2 ? xs[m] : (xs[m - 1] + xs[m]) / 2;
}

/** Mean of the finite values (used when the overall median is 0: most customers at 0 tell nothing). */
function meanOf(v: Float64Array, order: Int32Array, lo: number, hi: number): number {
  let s = 0;
  let c = 0;
  for (let p = lo; p < hi; p++) {
    const x = v[order[p]];
    if (Number.isFinite(x)) {
      s += x;
      c++;
    }
  }
  return c > 0 ? s / c : Number.NaN;
}

interface TraitDef {
  key: TraitKey;
  values: Float64Array | null;
  high: string;
  low: string;
  /** The number in words, e.g. "3 orders per customer". */
  say(v: number): string;
}

const round = (v: number): string => (v >= 100 ? Math.round(v).toLocaleString('en') : v >= 10 ? v.toFixed(0) : v.toFixed(1).replace(/\.0$/, ''));
/** "1 order", "1.5 orders", "3 orders": the rounded number with its noun in the right number. */
const count = (v: number, noun: string): string => {
  const r = round(v);
  return `${r} ${noun}${r === '1' ? '' : 's'}`;
};

function defs(v: TraitValues): TraitDef[] {
  return [
    { key: 'orders', values: v.orders, high: 'Frequent', low: 'Occasional', say: (x) => `${count(x, 'order')} per customer` },
    { key: 'spend', values: v.spend, high: 'High spend', low: 'Low spend', say: (x) => `${round(x)} spent per customer` },
    { key: 'basket', values: v.basket, high: 'Big baskets', low: 'Small baskets', say: (x) => `${count(x, 'line')} per order` },
    { key: 'recency', values: v.recency, high: 'Lapsed', low: 'Recent', say: (x) => `last seen ${count(x, 'day')} before the log ends` },
    { key: 'cadence', values: v.cadence, high: 'Slow to reorder', low: 'Quick to reorder', say: (x) => `${count(x, 'day')} between orders` },
    { key: 'events', values: v.events, high: 'Very active', low: 'Light', say: (x) => `${count(x, 'event')} per customer` },
  ];
}

/** Ratio below which (or above its inverse) a trait is worth naming. */
export const TRAIT_RATIO = 1.3;

/**
 * Each cluster's traits against everybody, most distinctive first (|log ratio|). `order` lists the
 * customers cluster by cluster, cluster c at order[clusterStart[c]..clusterStart[c+1]).
 * Activity (events) is only a trait when no orders are known (a log without purchases).
 */
export function clusterTraits(v: TraitValues, order: Int32Array, clusterStart: Int32Array): Trait[][] {
  const k = clusterStart.length - 1;
  const n = order.length;
  const out: Trait[][] = Array.from({ length: k }, () => []);
  let anyOrders = false;
  for (let u = 0; u < v.orders.length && !anyOrders; u++) anyOrders = v.orders[u] > 0;
  for (const def of defs(v)) {
    if (!def.values) continue;
    if (def.key === 'events' ? anyOrders : !anyOrders) continue;
    let overall = medianOf(def.values, order, 0, n);
    const useMean = !(overall > 0);
    if (useMean) overall = meanOf(def.values, order, 0, n);
    if (!(overall > 0)) continue;
    for (let c = 0; c < k; c++) {
      const lo = clusterStart[c];
      const hi = clusterStart[c + 1];
      if (hi === lo) continue;
      const value = useMean ? meanOf(def.values, order, lo, hi) : medianOf(def.values, order, lo, hi);
      if (!Number.isFinite(value)) continue;
      // A cluster at 0 against a positive overall: ratio floored at 1/10, so it does not drown every other trait.
      const ratio = Math.max(value, overall / 10) / overall;
      out[c].push({
        key: def.key,
        word: ratio >= 1 ? def.high : def.low,
        value,
        overall,
        ratio,
        ...(useMean ? { average: true as const } : {}),
        text: `${def.say(value)} (${useMean ? 'average' : 'typical'} customer: ${round(overall)})`,
      });
    }
  }
  for (const list of out) list.sort((a, b) => Math.abs(Math.log(b.ratio)) - Math.abs(Math.log(a.ratio)) || (a.key < b.key ? -1 : 1));
  return out;
}

/** Whether a trait sets its cluster apart enough to name it. */
export const distinctive = (t: Trait): boolean => t.ratio >= TRAIT_RATIO || t.ratio <= 1 / TRAIT_RATIO;
