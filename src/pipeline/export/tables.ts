// The downloadable tables: cluster assignments (with map coordinates), cluster profiles and
// per-user recommendations, as CSV and JSON. Pure string building over the stages' outputs, so the
// analysis worker and the CLI write byte-identical files.
//
// JSON shape of the row tables (assignments, recommendations):
//   {"columns":["user_id",...],"rows":[
//   {"user_id":"u1","cluster":0,...},
//   ...
//   ]}
// i.e. the CSV's columns as the keys of one flat object per row (pandas: DataFrame(doc["rows"])),
// one row per line so the file can be grepped and diffed. Numbers the CSV leaves empty (x, y without
// a map; NaN) are null; text is written as is (JSON needs no formula neutralisation).
// `rows` in every result counts data rows (CSV lines after the header; JSON objects in "rows";
// for profiles, clusters).

import { TOO_LITTLE_HISTORY_CLUSTER, TOO_LITTLE_HISTORY_LABEL } from '../profile/label';
import type { ClusterProfiles } from '../profile/types';
import type { CurrencyInfo } from '../types';
import type { RankedItems } from '../recommend/types';
import { csvParts, float32Number, PART_LINES } from './csv';
import { privacySummary, type PrivacyStatement } from './privacy';

/** A file as parts whose concatenation is its text (see PART_LINES: one string cannot hold a long file). */
export interface ExportResult {
  parts: string[];
  rows: number;
}

/** The whole text of an export (small files and tests: a long file may not fit one string). */
export function exportText(r: { parts: readonly string[] }): string {
  return r.parts.join('');
}

export interface AssignmentInput {
  /** User (or session) id per sequence. */
  ids: readonly string[];
  /** Cluster per sequence. */
  labels: Int32Array;
  /** n x 2 map coordinates, row-major; null when no map was made. */
  coords: Float32Array | null;
  /** Label text per cluster number. */
  clusterLabels: readonly string[];
  /** Sequence indices to export, in this order; null = all, in sequence order. */
  selection: Int32Array | null;
  /**
   * Ids of the customers with too little history to cluster: written after the sequences, with
   * cluster TOO_LITTLE_HISTORY_CLUSTER (-1), no map position and label TOO_LITTLE_HISTORY_LABEL.
   */
  tooLittleHistory?: readonly string[];
}

export const ASSIGNMENT_COLUMNS = ['user_id', 'cluster', 'x', 'y', 'label'] as const;

export const PROFILE_COLUMNS = [
  'cluster',
  'label',
  'size',
  'share',
  'events',
  'mean_length',
  'viewers',
  'carters',
  'buyers',
  'view_to_cart',
  'cart_to_purchase',
  'revenue',
  'orders',
  'aov',
  'top_categories',
  'top_items',
  'terms',
] as const;

export const RECOMMENDATION_COLUMNS = ['user_id', 'cluster', 'label', 'list', 'rank', 'item_id', 'title', 'score', 'reason'] as const;

/** One of a user's lists: ranked items, their scores and (optionally) why each is there. */
export interface UserList {
  items: Int32Array;
  scores: Float64Array;
  reasons?: readonly string[];
}

/** A user's two lists: `new` (items they have not bought) and `again` (items they may buy again). */
export interface UserLists {
  new: UserList;
  again: UserList;
}

export interface RecommendationRowsInput {
  ids: readonly string[];
  labels: Int32Array;
  selection: Int32Array | null;
  /** The user's lists, best first; a plain ranked list counts as `new` with no `again` list. */
  perUser: (index: number) => UserLists | RankedItems;
  /** Per table item: id, and title ('' when none). */
  itemIds: readonly string[];
  itemTitles: readonly string[];
  clusterLabels: readonly string[];
}

type Cell = string | number | null;

/** The rows to export: the selection (checked against n) or 0..n-1. */
function* indices(n: number, selection: Int32Array | null): Generator<number> {
  if (selection === null) {
    for (let i = 0; i < n; i++) yield i;
    return;
  }
  for (let s = 0; s < selection.length; s++) {
    const i = selection[s];
    if (i < 0 || i >= n) throw new RangeError(`selection holds index ${i}, outside the ${n} sequences`);
    yield i;
  }
}

function checkLengths(ids: readonly string[], labels: Int32Array, coords: Float32Array | null): void {
  if (labels.length !== ids.length) throw new RangeError(`${ids.length} ids but ${labels.length} cluster labels`);
  if (coords !== null && coords.length !== 2 * ids.length) throw new RangeError(`${ids.length} ids but ${coords.length / 2} map points`);
}

/** Label of cluster c: TOO_LITTLE_HISTORY_LABEL for -1 (customers under the minimum history); '' outside the list. */
const labelOf = (labels: readonly string[], c: number): string =>
  c >= 0 && c < labels.length ? labels[c] : c === TOO_LITTLE_HISTORY_CLUSTER ? TOO_LITTLE_HISTORY_LABEL : '';

function* assignmentRows(a: AssignmentInput): Generator<Cell[]> {
  checkLengths(a.ids, a.labels, a.coords);
  for (const i of indices(a.ids.length, a.selection)) {
    const c = a.labels[i];
    const x = a.coords ? float32Number(a.coords[2 * i]) : null;
    const y = a.coords ? float32Number(a.coords[2 * i + 1]) : null;
    yield [a.ids[i], c, x, y, labelOf(a.clusterLabels, c)];
  }
  for (const id of a.tooLittleHistory ?? []) yield [id, TOO_LITTLE_HISTORY_CLUSTER, null, null, TOO_LITTLE_HISTORY_LABEL];
}

function* recommendationRows(r: RecommendationRowsInput): Generator<Cell[]> {
  checkLengths(r.ids, r.labels, null);
  for (const i of indices(r.ids.length, r.selection)) {
    const c = r.labels[i];
    const label = labelOf(r.clusterLabels, c);
    const got = r.perUser(i);
    const lists: [string, UserList][] =
      'new' in got
        ? [
            ['new', got.new],
            ['again', got.again],
          ]
        : [
            [
              'new',
              { ...got, reasons: got.filled ? Array.from(got.items, (_x, j) => (j >= got.items.length - got.filled! ? 'popular' : 'cluster')) : undefined },
            ],
          ];
    for (const [name, ranked] of lists) {
      for (let j = 0; j < ranked.items.length; j++) {
        const item = ranked.items[j];
        yield [
          r.ids[i],
          c,
          label,
          name,
          j + 1,
          r.itemIds[item],
          r.itemTitles[item] ?? '',
          ranked.scores[j],
          ranked.reasons?.[j] ?? (name === 'new' ? 'cluster' : ''),
        ];
      }
    }
  }
}

/** CSV text and its data-row count from a row generator. */
function csvOf(header: readonly string[], rows: Iterable<Cell[]>): ExportResult {
  let count = 0;
  const counted = (function* () {
    for (const row of rows) {
      count++;
      yield row;
    }
  })();
  const parts = csvParts(header, counted);
  return { parts, rows: count };
}

/** JSON numbers must be finite: NaN and ±Infinity become null (as JSON.stringify would, but explicitly). */
const jsonCell = (v: Cell): Cell => (typeof v === 'number' && !Number.isFinite(v) ? null : v);

/** The documented row-table JSON (see the top of this file). */
function jsonOf(columns: readonly string[], rows: Iterable<Cell[]>): ExportResult {
  // In parts of whole lines, as csvParts: `{head` first, `]}` last, a comma after every row but the last.
  const parts: string[] = [];
  let lines: string[] = [];
  let count = 0;
  let lead = `{"columns":${JSON.stringify(columns)},"rows":[`;
  for (const row of rows) {
    const obj: Record<string, Cell> = {};
    for (let j = 0; j < columns.length; j++) obj[columns[j]] = jsonCell(row[j]);
    lines.push(JSON.stringify(obj));
    count++;
    if (lines.length >= PART_LINES) {
      parts.push(`${lead}\n${lines.join(',\n')}`);
      lead = ',';
      lines = [];
    }
  }
  if (lines.length > 0) parts.push(`${lead}\n${lines.join(',\n')}\n]}\n`);
  else parts.push(count === 0 ? `${lead}]}\n` : '\n]}\n');
  return { parts, rows: count };
}

/** assignments.csv: `user_id,cluster,x,y,label`; x and y empty when there is no map. */
export function assignmentsCsv(a: AssignmentInput): ExportResult {
  return csvOf(ASSIGNMENT_COLUMNS, assignmentRows(a));
}

/** assignments.json: {"columns": [...ASSIGNMENT_COLUMNS], "rows": [{user_id, cluster, x, y, label}]}; x, y null without a map. */
export function assignmentsJson(a: AssignmentInput): ExportResult {
  return jsonOf(ASSIGNMENT_COLUMNS, assignmentRows(a));
}

/** recommendations.csv: one row per (user, list, recommended item), rank 1 = best within each list. */
export function recommendationsCsv(r: RecommendationRowsInput): ExportResult {
  return csvOf(RECOMMENDATION_COLUMNS, recommendationRows(r));
}

/** recommendations.json: {"columns": [...RECOMMENDATION_COLUMNS], "rows": [{user_id, cluster, label, list, rank, item_id, title, score, reason}]}. */
export function recommendationsJson(r: RecommendationRowsInput): ExportResult {
  return jsonOf(RECOMMENDATION_COLUMNS, recommendationRows(r));
}

export const PROFILES_FORMAT = 'seqlens-profiles';

/**
 * profiles.json: the whole ClusterProfiles object (overall stats, every cluster with its funnel,
 * top categories/brands/items and terms) under a small header:
 *   {format: "seqlens-profiles", version: 1, file, generatedAt, k, users, hasPrice, ..., overall, clusters}
 * Pretty-printed: it is small (one entry per cluster) and read by people. rows = clusters.
 * With meta.privacy (profiles noised by noisyProfiles), the header also holds `privacy`: the
 * mechanism, epsilon, sensitivity and what was noised or left out. With meta.currency, `currency`
 * says what the amounts (revenue, aov) are in: {code, source} as the report detected it.
 */
export function profilesJson(
  p: ClusterProfiles,
  meta: { file: string; k: number; generatedAt: string; privacy?: PrivacyStatement; currency?: CurrencyInfo },
): ExportResult {
  if (meta.k !== p.k) throw new RangeError(`profiles are for K = ${p.k}, not K = ${meta.k}`);
  const doc = {
    format: PROFILES_FORMAT,
    version: 1,
    file: meta.file,
    generatedAt: meta.generatedAt,
    ...(meta.currency ? { currency: meta.currency } : {}),
    ...(meta.privacy ? { privacy: meta.privacy } : {}),
    ...p,
  };
  return { parts: [`${JSON.stringify(doc, (_key, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`], rows: p.clusters.length };
}

/** Names in a list cell, separated by '; ' (a comma would need quoting in every cell). */
const list = (names: readonly string[]): string => names.join('; ');

/**
 * profiles.csv: one row per cluster (PROFILE_COLUMNS); lists are '; '-separated, best first; unknown numbers (no prices, no one at the previous funnel step) are empty.
 * With privacy (noised profiles), a last column `privacy` states the mechanism on every row, so the
 * statement travels with any copy of the table.
 */
export function profilesCsv(p: ClusterProfiles, privacy?: PrivacyStatement): ExportResult {
  const stated = privacy ? privacySummary(privacy) : null;
  const rows = p.clusters.map((c): Cell[] => [
    c.cluster,
    c.label,
    c.size,
    c.share,
    c.events,
    c.length.mean,
    c.funnel.viewers,
    c.funnel.carters,
    c.funnel.buyers,
    c.funnel.viewToCart,
    c.funnel.cartToPurchase,
    c.revenue,
    c.orders,
    c.aov,
    list(c.topCategories.map((x) => x.name)),
    list(c.topItems.map((x) => x.title || x.id)),
    list(c.terms.map((x) => x.term)),
    ...(stated === null ? [] : [stated]),
  ]);
  return csvOf(stated === null ? PROFILE_COLUMNS : [...PROFILE_COLUMNS, 'privacy'], rows);
}
