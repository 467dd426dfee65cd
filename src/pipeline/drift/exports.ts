// The drift's exports: drift.json (the report, with the cluster number of every index) and
// transitions.csv (one row per old segment x new segment pair, kept customers only).

import { toCsv } from '../export/csv';
import { driftCluster } from './drift';
import type { DriftReport } from './types';

/**
 * drift.json: the report's fields as they are, plus `clusters` (the cluster number of each index of
 * the per-segment arrays: 0..k-1, then -1 for too little history yet) so a reader need not know the
 * convention. Two-space indented, a trailing newline.
 */
export function driftJson(r: DriftReport): string {
  const clusters: number[] = [];
  for (let c = 0; c <= r.k; c++) clusters.push(driftCluster(c, r.k));
  const { k, labels, ...rest } = r;
  return `${JSON.stringify({ k, clusters, labels, ...rest }, null, 2)}\n`;
}

/**
 * transitions.csv: from_cluster,from_label,to_cluster,to_label,customers for every pair (zeros
 * included, so a pivot gives the whole matrix), cluster -1 for too little history yet. Labels come
 * from the log (categories, titles) and are quoted and formula-neutralised like every export.
 */
export function transitionsCsv(r: DriftReport): string {
  const rows: (string | number)[][] = [];
  for (let i = 0; i <= r.k; i++) {
    for (let j = 0; j <= r.k; j++) {
      rows.push([driftCluster(i, r.k), r.labels[i], driftCluster(j, r.k), r.labels[j], r.transitions[i][j]]);
    }
  }
  return toCsv(['from_cluster', 'from_label', 'to_cluster', 'to_label', 'customers'], rows);
}
