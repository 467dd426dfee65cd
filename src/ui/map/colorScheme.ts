// How the map's points are coloured: every point falls in one colour group (a cluster, a length
// band, a country...). Large-mode scatter draws a whole series in one colour, so each group becomes
// one series; continuous attributes are therefore banded rather than given a gradient.
import type { UserAttributes } from '../../pipeline/profile/types';
import { clusterColor } from '../common/chartTheme';
import { type Money, PLAIN_MONEY } from '../common/money';
import type { ColorBy } from './useMapView';

/** Hidden clusters: drawn in this grey, behind everything else. */
export const HIDDEN_GREY = '#d5d8de';
/** Groups "other" and "unknown" of the categorical colourings. */
export const OTHER_GREY = '#9aa1ab';

/** Sequential bands, light (low) to dark (high): viridis, which stays readable in grey and to most colour-blind readers. */
export const SEQUENTIAL = ['#fde725', '#a0da39', '#4ac16d', '#1fa187', '#277f8e', '#365c8d', '#46327e', '#440154'];

export const TOP_COUNTRIES = 10;

export interface ColorGroup {
  label: string;
  color: string;
  /** Points in the group (hidden clusters included: they keep their group, only the drawing greys them). */
  count: number;
}

export interface ColorScheme {
  by: ColorBy;
  groups: ColorGroup[];
  /** Group of every point. */
  groupOf: Int32Array;
  /** Whether the groups are ordered bands of a number (drawn as a scale) rather than categories. */
  ordered: boolean;
}

export interface SchemeInput {
  labels: Int32Array | null;
  k: number | null;
  clusterLabels: string[] | null;
  attributes: UserAttributes;
  typeNames: string[];
  countries: string[];
  /** How the revenue bands write their amounts (the log's currency); plain numbers when unset. */
  money?: Money;
  /** What a point is, for the one group before there are segments: 'customers' or 'sessions'. */
  noun?: string;
}

function count(groupOf: Int32Array, groups: number): number[] {
  const out = new Array<number>(groups).fill(0);
  for (let i = 0; i < groupOf.length; i++) out[groupOf[i]]++;
  return out;
}

/** Length bands by powers of two: 1, 2, 3–4, 5–8 ... the last open-ended, so a few very long sequences do not flatten the rest. */
export function lengthBands(max: number): { lo: number; hi: number }[] {
  const bands: { lo: number; hi: number }[] = [];
  let lo = 1;
  let hi = 1;
  while (bands.length < SEQUENTIAL.length - 1 && lo <= max) {
    bands.push({ lo, hi });
    lo = hi + 1;
    hi = hi * 2;
  }
  if (lo <= max || bands.length === 0) bands.push({ lo, hi: Number.POSITIVE_INFINITY });
  return bands;
}

function bandLabel(lo: number, hi: number, unit: string): string {
  if (hi === Number.POSITIVE_INFINITY) return `${lo}+ ${unit}`;
  return lo === hi ? `${lo} ${unit}` : `${lo}–${hi} ${unit}`;
}

function byLength(length: Int32Array): Omit<ColorScheme, 'by'> {
  let max = 0;
  for (let i = 0; i < length.length; i++) if (length[i] > max) max = length[i];
  const bands = lengthBands(max);
  const groupOf = new Int32Array(length.length);
  for (let i = 0; i < length.length; i++) {
    let g = 0;
    while (g < bands.length - 1 && length[i] > bands[g].hi) g++;
    groupOf[i] = g;
  }
  const counts = count(groupOf, bands.length);
  const colors = spread(bands.length);
  return { groups: bands.map((b, g) => ({ label: bandLabel(b.lo, b.hi, 'events'), color: colors[g], count: counts[g] })), groupOf, ordered: true };
}

/** `n` colours of the sequential ramp, spread from its light to its dark end. */
function spread(n: number): string[] {
  if (n === 1) return [SEQUENTIAL[SEQUENTIAL.length - 1]];
  return Array.from({ length: n }, (_, i) => SEQUENTIAL[Math.round((i * (SEQUENTIAL.length - 1)) / (n - 1))]);
}

/**
 * Revenue bands: net returns (< 0), nothing bought (0), then the buyers split in five bands of
 * equal numbers of users (quantiles), since revenue is very skewed.
 */
export function revenueBands(revenue: Float64Array, money: Money = PLAIN_MONEY): { groups: { label: string; lo: number; hi: number }[]; groupOf: Int32Array } {
  const positive: number[] = [];
  for (let i = 0; i < revenue.length; i++) if (revenue[i] > 0) positive.push(revenue[i]);
  positive.sort((a, b) => a - b);
  const cuts: number[] = [];
  const parts = Math.min(5, positive.length);
  for (let q = 1; q < parts; q++) {
    const cut = positive[Math.floor((q * positive.length) / parts)];
    if (cuts.length === 0 || cut > cuts[cuts.length - 1]) cuts.push(cut);
  }
  const groups: { label: string; lo: number; hi: number }[] = [
    { label: 'net returns (< 0)', lo: Number.NEGATIVE_INFINITY, hi: 0 },
    { label: 'nothing bought (0)', lo: 0, hi: 0 },
  ];
  if (positive.length > 0) {
    let lo = positive[0];
    for (const cut of cuts) {
      groups.push({ label: `${money.whole(lo)} to < ${money.whole(cut)}`, lo, hi: cut });
      lo = cut;
    }
    groups.push({ label: `${money.whole(lo)} and more`, lo, hi: Number.POSITIVE_INFINITY });
  }
  const groupOf = new Int32Array(revenue.length);
  for (let i = 0; i < revenue.length; i++) {
    const r = revenue[i];
    if (!(r > 0)) {
      groupOf[i] = r < 0 ? 0 : 1; // NaN (no prices) counts as nothing bought
      continue;
    }
    let g = 2;
    while (g < groups.length - 1 && r >= groups[g].hi) g++;
    groupOf[i] = g;
  }
  return { groups, groupOf };
}

function byRevenue(revenue: Float64Array, money: Money | undefined): Omit<ColorScheme, 'by'> {
  const { groups, groupOf } = revenueBands(revenue, money);
  const counts = count(groupOf, groups.length);
  const buyers = spread(Math.max(1, groups.length - 2));
  const colors = ['#b3261e', OTHER_GREY, ...buyers];
  return { groups: groups.map((g, i) => ({ label: g.label, color: colors[i], count: counts[i] })), groupOf, ordered: true };
}

/** Categorical colouring of codes 0..names-1 (and -1 = unknown): the `top` commonest, the rest as "other". */
export function byCategory(codes: ArrayLike<number>, names: string[], top: number): Omit<ColorScheme, 'by'> {
  const freq = new Map<number, number>();
  for (let i = 0; i < codes.length; i++) freq.set(codes[i], (freq.get(codes[i]) ?? 0) + 1);
  const known = [...freq.entries()].filter(([c]) => c >= 0).sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  const kept = known.slice(0, top).map(([c]) => c);
  const slot = new Map<number, number>(kept.map((c, g) => [c, g]));
  const hasOther = known.length > kept.length;
  const hasUnknown = freq.has(-1) || [...freq.keys()].some((c) => c < -1);
  const other = kept.length;
  const unknown = kept.length + (hasOther ? 1 : 0);
  const groupOf = new Int32Array(codes.length);
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i];
    groupOf[i] = slot.get(c) ?? (c < 0 ? unknown : other);
  }
  const groups: ColorGroup[] = kept.map((c, g) => ({ label: names[c] ?? `#${c}`, color: clusterColor(g), count: 0 }));
  if (hasOther) groups.push({ label: 'other', color: OTHER_GREY, count: 0 });
  if (hasUnknown) groups.push({ label: 'unknown', color: '#5b6472', count: 0 });
  const counts = count(groupOf, groups.length);
  groups.forEach((g, i) => (g.count = counts[i]));
  return { groups, groupOf, ordered: false };
}

/**
 * Cluster i's name in the legend and tooltip: "Segment 3 · Frequent · kitchen" once profiles are
 * in (the number is the cluster column of the exports).
 */
export function clusterName(i: number, clusterLabels: string[] | null): string {
  const label = clusterLabels?.[i];
  return label ? `Segment ${i} · ${label}` : `Segment ${i}`;
}

function byCluster(labels: Int32Array | null, k: number | null, clusterLabels: string[] | null, n: number, noun = 'customers'): Omit<ColorScheme, 'by'> {
  if (!labels || k === null || labels.length !== n) {
    return { groups: [{ label: `all ${noun}`, color: clusterColor(0), count: n }], groupOf: new Int32Array(n), ordered: false };
  }
  const counts = count(labels, k);
  return {
    groups: counts.map((c, i) => ({ label: clusterName(i, clusterLabels), color: clusterColor(i), count: c })),
    groupOf: labels,
    ordered: false,
  };
}

export function colorScheme(by: ColorBy, input: SchemeInput): ColorScheme {
  const { attributes: a } = input;
  switch (by) {
    case 'length':
      return { by, ...byLength(a.length) };
    case 'revenue':
      return { by, ...byRevenue(a.revenue, input.money) };
    case 'country':
      return { by, ...byCategory(a.country, input.countries, TOP_COUNTRIES) };
    case 'lastType':
      return { by, ...byCategory(a.lastType, input.typeNames, 20) };
    default:
      return { by: 'cluster', ...byCluster(input.labels, input.k, input.clusterLabels, a.n, input.noun) };
  }
}
