// Words and numbers for the cluster view. A score that is undefined (NaN) or infinite is shown as
// a dash with an explanation, never as a number.

/** A cluster is tiny below this share of all sequences ... */
export const TINY_SHARE = 0.01;
/** ... or below this many members. */
export const TINY_MEMBERS = 5;

const fixed = (digits: number) => new Intl.NumberFormat(undefined, { minimumFractionDigits: digits, maximumFractionDigits: digits });
const fixed3 = fixed(3);
const fixed2 = fixed(2);
const precise = new Intl.NumberFormat(undefined, { maximumSignificantDigits: 6 });

export const UNDEFINED_METRIC = '—';

/** A score for people: 3 decimals (2 for Calinski-Harabasz), '—' when it is not a finite number. */
export function formatMetric(v: number | null | undefined, kind: 'inertia' | 'silhouette' | 'calinskiHarabasz' | 'daviesBouldin' | 'stability'): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return UNDEFINED_METRIC;
  if (kind === 'inertia') return precise.format(v);
  if (kind === 'calinskiHarabasz') return fixed2.format(v);
  return fixed3.format(v);
}

/** A finite value for a chart, else null (a gap in the line, not a point at NaN). */
export function chartValue(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

/** Clusters with fewer than TINY_MEMBERS members or less than TINY_SHARE of all points. */
export function tinyClusters(sizes: readonly number[]): number[] {
  const total = sizes.reduce((a, b) => a + b, 0);
  const out: number[] = [];
  sizes.forEach((s, i) => {
    if (s < TINY_MEMBERS || s < TINY_SHARE * total) out.push(i);
  });
  return out;
}

/**
 * What a mean silhouette says about the structure (Kaufman and Rousseeuw's reading): above 0.7
 * strong, 0.5 reasonable, 0.25 weak, below that no substantial structure.
 */
export function silhouetteVerdict(s: number): string {
  if (!Number.isFinite(s)) return 'The silhouette is undefined for this clustering.';
  if (s > 0.7) return 'A strong cluster structure (silhouette above 0.7).';
  if (s > 0.5) return 'A reasonable cluster structure (silhouette 0.5–0.7).';
  if (s > 0.25) return 'A weak cluster structure (silhouette 0.25–0.5): the groups overlap; check them before relying on them.';
  return 'No substantial cluster structure (silhouette at most 0.25): these groups split the sequences conveniently, but are not natural segments.';
}
