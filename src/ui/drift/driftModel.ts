// What the drift view draws, worked out from a DriftReport without React or ECharts: the rows of
// the size bars, the Sankey's nodes and links (customers who moved), the matrix table with its
// totals, and the traits then and now. Pure, so the numbers the page shows are tested.
import type { DriftReport } from '../../pipeline/drift/types';
import type { Trait } from '../../pipeline/profile/types';

/** One segment's size then and now. */
export interface SizeRow {
  /** Index in the report's arrays (k = too little history). */
  index: number;
  label: string;
  before: number;
  after: number;
  /** after - before. */
  change: number;
  beforeShare: number;
  afterShare: number;
}

export function sizeRows(r: DriftReport): SizeRow[] {
  const totalBefore = r.sizesBefore.reduce((s, x) => s + x, 0);
  const totalAfter = r.sizesAfter.reduce((s, x) => s + x, 0);
  return r.labels.map((label, index) => ({
    index,
    label,
    before: r.sizesBefore[index],
    after: r.sizesAfter[index],
    change: r.sizesAfter[index] - r.sizesBefore[index],
    beforeShare: totalBefore > 0 ? r.sizesBefore[index] / totalBefore : 0,
    afterShare: totalAfter > 0 ? r.sizesAfter[index] / totalAfter : 0,
  }));
}

export interface SankeyNode {
  /** Unique name (ECharts links refer to it): the label with the side. */
  name: string;
  label: string;
  side: 'then' | 'now';
  index: number;
}

export interface SankeyLink {
  source: string;
  target: string;
  value: number;
}

export interface SankeyData {
  nodes: SankeyNode[];
  links: SankeyLink[];
  /** Customers on the links (= report.moved). */
  moved: number;
}

/** The side's node name: the label with "then" or "now", so the same segment has a node on each side. */
export function nodeName(label: string, side: 'then' | 'now'): string {
  return `${label} (${side})`;
}

/**
 * The Sankey of customers who moved: kept customers whose segment changed, one link per old -> new
 * pair (the too-little-history group included), a node per side for each segment with a link.
 * Links are sorted largest first; `maxLinks` keeps the largest (the rest would be hairlines).
 */
export function sankeyData(r: DriftReport, maxLinks = 60): SankeyData {
  const links: { from: number; to: number; value: number }[] = [];
  for (let i = 0; i <= r.k; i++) {
    for (let j = 0; j <= r.k; j++) {
      const v = r.transitions[i][j];
      if (i !== j && v > 0) links.push({ from: i, to: j, value: v });
    }
  }
  links.sort((a, b) => b.value - a.value || a.from - b.from || a.to - b.to);
  const kept = links.slice(0, maxLinks);
  const thenUsed = new Set(kept.map((l) => l.from));
  const nowUsed = new Set(kept.map((l) => l.to));
  const nodes: SankeyNode[] = [];
  for (let i = 0; i <= r.k; i++) if (thenUsed.has(i)) nodes.push({ name: nodeName(r.labels[i], 'then'), label: r.labels[i], side: 'then', index: i });
  for (let j = 0; j <= r.k; j++) if (nowUsed.has(j)) nodes.push({ name: nodeName(r.labels[j], 'now'), label: r.labels[j], side: 'now', index: j });
  return {
    nodes,
    links: kept.map((l) => ({ source: nodeName(r.labels[l.from], 'then'), target: nodeName(r.labels[l.to], 'now'), value: l.value })),
    moved: links.reduce((s, l) => s + l.value, 0),
  };
}

/** The matrix table: kept customers from each old segment (rows) to each new one (columns), with totals. */
export interface MatrixTable {
  labels: string[];
  cells: number[][];
  rowTotals: number[];
  columnTotals: number[];
  total: number;
  /** Cells on the diagonal (stayed in their segment). */
  stayed: number;
}

export function matrixTable(r: DriftReport): MatrixTable {
  const n = r.k + 1;
  const rowTotals = r.transitions.map((row) => row.reduce((s, x) => s + x, 0));
  const columnTotals = Array.from({ length: n }, (_, j) => r.transitions.reduce((s, row) => s + row[j], 0));
  let stayed = 0;
  for (let i = 0; i < n; i++) stayed += r.transitions[i][i];
  return {
    labels: r.labels,
    cells: r.transitions,
    rowTotals,
    columnTotals,
    total: rowTotals.reduce((s, x) => s + x, 0),
    stayed,
  };
}

/** Traits then and now per segment (segments only, not the too-little-history group). */
export interface TraitRow {
  index: number;
  label: string;
  before: string[];
  after: string[];
}

export function traitRows(r: DriftReport, say?: (t: Trait) => string): TraitRow[] {
  const rows: TraitRow[] = [];
  // With their numbers, the traits are said by the page (amounts in the reader's currency).
  const words = (which: 'before' | 'after', c: number): string[] => {
    const detail = r.traitDetails?.[which][c];
    return say && detail ? detail.map(say) : (r.traits[which][c] ?? []);
  };
  for (let c = 0; c < r.k; c++) {
    const before = words('before', c);
    const after = words('after', c);
    if (before.length === 0 && after.length === 0) continue;
    rows.push({ index: c, label: r.labels[c], before, after });
  }
  return rows;
}

/** A log's file name without its extension, safe as a file name (as the .seqbert download does). */
export function fileBase(logName: string): string {
  return logName.replace(/\.[^.]*$/, '').replace(/[^\w.-]+/g, '-') || 'log';
}

/** File names of the drift exports beside the log's name: `<base>-drift.json`, `<base>-transitions.csv`. */
export function driftFileName(logName: string, what: 'drift.json' | 'transitions.csv'): string {
  return `${fileBase(logName)}-${what}`;
}

/** The saved model's file name: `<base>.seqlens`. */
export function modelFileName(logName: string): string {
  return `${fileBase(logName)}.seqlens`;
}
