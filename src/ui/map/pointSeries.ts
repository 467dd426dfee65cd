// Splits the points into one flat coordinate array per colour group (large-mode scatter takes a
// typed array [x0, y0, x1, y1, ...] and draws it in one colour), remembering which point each
// entry is so hover and click can map back. Hidden clusters go to their own grey group.

export interface PointSeries {
  /** Group index into the scheme's groups, or -1 for the greyed (hidden) points. */
  group: number;
  /** Point (sequence) index of each entry. */
  index: Int32Array;
  xy: Float32Array;
}

/**
 * One series per non-empty group, in group order, with the grey series (if any) first so it is
 * drawn behind. `hiddenOf(i)` says whether point i belongs to a hidden cluster.
 */
export function splitPoints(coords: Float32Array, groupOf: Int32Array, groups: number, hiddenOf: ((i: number) => boolean) | null): PointSeries[] {
  const n = groupOf.length;
  const slot = new Int32Array(n);
  const counts = new Int32Array(groups + 1); // last slot: grey
  for (let i = 0; i < n; i++) {
    const s = hiddenOf?.(i) ? groups : groupOf[i];
    slot[i] = s;
    counts[s]++;
  }
  const order = [groups, ...Array.from({ length: groups }, (_, g) => g)];
  const out: PointSeries[] = [];
  const byslot: (PointSeries | null)[] = new Array(groups + 1).fill(null);
  for (const s of order) {
    if (counts[s] === 0) continue;
    const series = { group: s === groups ? -1 : s, index: new Int32Array(counts[s]), xy: new Float32Array(counts[s] * 2) };
    byslot[s] = series;
    out.push(series);
  }
  const fill = new Int32Array(groups + 1);
  for (let i = 0; i < n; i++) {
    const s = slot[i];
    const series = byslot[s]!;
    const j = fill[s]++;
    series.index[j] = i;
    series.xy[2 * j] = coords[2 * i];
    series.xy[2 * j + 1] = coords[2 * i + 1];
  }
  return out;
}

/** Bounds of the points with a margin, so the axes stay put when the colouring changes. */
export function bounds(coords: Float32Array, margin = 0.04): { xMin: number; xMax: number; yMin: number; yMax: number } {
  let xMin = Infinity;
  let xMax = -Infinity;
  let yMin = Infinity;
  let yMax = -Infinity;
  for (let i = 0; i + 1 < coords.length; i += 2) {
    const x = coords[i];
    const y = coords[i + 1];
    if (x < xMin) xMin = x;
    if (x > xMax) xMax = x;
    if (y < yMin) yMin = y;
    if (y > yMax) yMax = y;
  }
  if (!Number.isFinite(xMin)) return { xMin: 0, xMax: 1, yMin: 0, yMax: 1 };
  const dx = Math.max(xMax - xMin, 1e-6) * margin;
  const dy = Math.max(yMax - yMin, 1e-6) * margin;
  return { xMin: xMin - dx, xMax: xMax + dx, yMin: yMin - dy, yMax: yMax + dy };
}
