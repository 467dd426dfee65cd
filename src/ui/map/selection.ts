// Brush selection on the map: which points a rectangle or lasso holds (in data coordinates), and
// the numbers shown next to the map for them.
import type { UserAttributes } from '../../pipeline/profile/types';

export type BrushArea = { brushType: 'rect'; coordRange: [[number, number], [number, number]] } | { brushType: 'polygon'; coordRange: [number, number][] };

/** Ray casting: whether (x, y) lies inside the polygon (edges count either way). */
export function insidePolygon(x: number, y: number, polygon: [number, number][]): boolean {
  let inside = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const [xi, yi] = polygon[i];
    const [xj, yj] = polygon[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/**
 * Points inside any of the areas, ascending, skipping those `skip(i)` rejects (points of hidden
 * clusters: greyed out, they are not part of what the reader picks).
 */
export function pointsInAreas(coords: Float32Array, areas: BrushArea[], skip: ((i: number) => boolean) | null): Int32Array {
  const n = coords.length >> 1;
  const hit = new Uint8Array(n);
  for (const area of areas) {
    if (area.brushType === 'rect') {
      const [[x0, x1], [y0, y1]] = area.coordRange;
      const xLo = Math.min(x0, x1);
      const xHi = Math.max(x0, x1);
      const yLo = Math.min(y0, y1);
      const yHi = Math.max(y0, y1);
      for (let i = 0; i < n; i++) {
        const x = coords[2 * i];
        const y = coords[2 * i + 1];
        if (x >= xLo && x <= xHi && y >= yLo && y <= yHi) hit[i] = 1;
      }
    } else if (area.coordRange.length >= 3) {
      // The bounding box first: most points are far from a lasso.
      let xLo = Infinity;
      let xHi = -Infinity;
      let yLo = Infinity;
      let yHi = -Infinity;
      for (const [x, y] of area.coordRange) {
        xLo = Math.min(xLo, x);
        xHi = Math.max(xHi, x);
        yLo = Math.min(yLo, y);
        yHi = Math.max(yHi, y);
      }
      for (let i = 0; i < n; i++) {
        const x = coords[2 * i];
        const y = coords[2 * i + 1];
        if (x < xLo || x > xHi || y < yLo || y > yHi) continue;
        if (insidePolygon(x, y, area.coordRange)) hit[i] = 1;
      }
    }
  }
  let count = 0;
  for (let i = 0; i < n; i++) if (hit[i] && !skip?.(i)) count++;
  const out = new Int32Array(count);
  for (let i = 0, j = 0; i < n; i++) if (hit[i] && !skip?.(i)) out[j++] = i;
  return out;
}

export interface SelectionSummary {
  count: number;
  /** count / all points. */
  share: number;
  /** Selected points per cluster (null without clusters). */
  perCluster: number[] | null;
  meanLength: number;
  /** Net revenue of the selected users; null when the log has no prices. */
  revenue: number | null;
}

export function summariseSelection(
  selection: Int32Array,
  attributes: UserAttributes,
  labels: Int32Array | null,
  k: number | null,
  hasPrice: boolean,
): SelectionSummary {
  const perCluster = labels && k !== null ? new Array<number>(k).fill(0) : null;
  let length = 0;
  let revenue = 0;
  for (let j = 0; j < selection.length; j++) {
    const i = selection[j];
    length += attributes.length[i];
    const r = attributes.revenue[i];
    if (Number.isFinite(r)) revenue += r;
    if (perCluster && labels) perCluster[labels[i]]++;
  }
  const count = selection.length;
  return {
    count,
    share: attributes.n > 0 ? count / attributes.n : 0,
    perCluster,
    meanLength: count > 0 ? length / count : 0,
    revenue: hasPrice ? revenue : null,
  };
}
