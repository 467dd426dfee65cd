// The attract loop's pure parts: where the tour goes next, what the caption of a cluster says, and
// how long to wait before starting over after failures. The React side only runs timers over these.
import type { ClusterProfile } from '../../pipeline/profile/types';
import { formatInt, formatPercent } from '../common/format';

/** Where the tour stands: the cluster highlighted and the pass through all clusters (both from 0). */
export interface TourPosition {
  cluster: number;
  pass: number;
}

/** The next stop after `at` among k clusters, or null when `passes` passes are done (the cycle is over). */
export function nextStop(at: TourPosition, k: number, passes: number): TourPosition | null {
  if (k <= 0) return null;
  if (at.cluster + 1 < k) return { cluster: at.cluster + 1, pass: at.pass };
  return at.pass + 1 < passes ? { cluster: 0, pass: at.pass + 1 } : null;
}

/** Clusters to grey out so that only `cluster` stands out on the map. */
export function othersThan(cluster: number, k: number): number[] {
  const out: number[] = [];
  for (let c = 0; c < k; c++) if (c !== cluster) out.push(c);
  return out;
}

export interface Caption {
  /** "Cluster 2 · 3 of 5": the cluster's number as the map's legend shows it (from 0), and the stop. */
  heading: string;
  /** The profile's label. */
  title: string;
  /** "123 customers · 24.6% of all" ("sessions" for a log grouped by session). */
  size: string;
  /** Up to three top items, by title where there is one. */
  items: string[];
}

export function captionFor(profile: ClusterProfile, k: number, by: 'user' | 'session' = 'user'): Caption {
  const [one, many] = by === 'session' ? ['session', 'sessions'] : ['customer', 'customers'];
  return {
    heading: `Segment ${profile.cluster} · ${profile.cluster + 1} of ${k}`,
    title: profile.label || `Segment ${profile.cluster}`,
    size: `${formatInt(profile.size)} ${profile.size === 1 ? one : many} · ${formatPercent(profile.share)} of all`,
    items: profile.topItems.slice(0, 3).map((it) => it.title || it.id),
  };
}

/**
 * Wait before a restart after an error: at once for the first, then doubling with each failure in
 * a row (a fault that repeats must not spin the machine), at most a minute.
 */
export function restartDelayMs(failuresInARow: number): number {
  if (failuresInARow <= 1) return 0;
  return Math.min(60_000, 1_000 * 2 ** Math.min(failuresInARow - 2, 6));
}
