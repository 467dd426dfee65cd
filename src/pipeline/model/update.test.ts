// Update mode on generated vectors: the centres follow a shifted log, and a new segment is
// proposed for a planted group far from every centre, and only then.
import { describe, expect, it } from 'vitest';
import { Random } from '../numeric/sfc32';
import { clusterMeans, ownCentreP95 } from './build';
import { nearestCentres, updateCentres } from './update';

const d = 6;
const K = 3;
/** Blob centres far apart on the first axes. */
const centreOf = (c: number): number[] => Array.from({ length: d }, (_x, j) => (j === c ? 10 : 0));

function blobs(rng: Random, counts: number[], centres: number[][], spread = 1): { x: Float32Array; labels: Int32Array } {
  const n = counts.reduce((a, b) => a + b, 0);
  const x = new Float32Array(n * d);
  const labels = new Int32Array(n);
  let i = 0;
  counts.forEach((m, c) => {
    for (let t = 0; t < m; t++, i++) {
      labels[i] = c;
      for (let j = 0; j < d; j++) x[i * d + j] = centres[c][j] + spread * rng.normal();
    }
  });
  return { x, labels };
}

function trained(rng: Random) {
  const t = blobs(rng, [300, 300, 300], [0, 1, 2].map(centreOf));
  const centres = clusterMeans(t.x, 900, d, t.labels, K);
  return { centres, p95: ownCentreP95(t.x, 900, d, t.labels, centres) };
}

describe('update mode', () => {
  it('assigns each row to its nearest centre, ties to the lowest', () => {
    const centres = Float32Array.from([0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0]);
    const x = Float32Array.from([1, 0, 0, 0, 0, 0, 1.9, 0, 0, 0, 0, 0]);
    const r = nearestCentres(x, 2, d, centres, 2);
    expect(Array.from(r.labels)).toEqual([0, 1]);
    expect(r.distance[0]).toBeCloseTo(1, 6);
  });

  it('moves the centres towards where the new log is, and proposes nothing without a new group', () => {
    const rng = new Random(1);
    const { centres, p95 } = trained(rng);
    // The same segments, segment 0 drifted by 1 along the last axis.
    const moved = [0, 1, 2].map(centreOf);
    moved[0][d - 1] = 1;
    const next = blobs(rng, [400, 400, 400], moved);
    const u = updateCentres(next.x, 1200, d, centres, K, [300, 300, 300], p95);
    expect(u.proposal).toBeNull();
    expect(u.shift[0]).toBeGreaterThan(0.4);
    expect(u.shift[0]).toBeLessThan(1);
    expect(u.shift[1]).toBeLessThan(0.3);
    // Weighted between the training log (decay 0.5 of 300) and the new one (400): up to 400 / 550 of
    // the way (less: the drifted rows past the training scale move nothing).
    expect(u.centres[0 * d + d - 1]).toBeGreaterThan(0.5);
    expect(u.centres[0 * d + d - 1]).toBeLessThan(400 / 550);
    expect(Array.from(u.labels)).toEqual(Array.from(next.labels));
  });

  it('proposes a planted new group (its size and where it is), without adding it', () => {
    const rng = new Random(2);
    const { centres, p95 } = trained(rng);
    const planted = Array.from({ length: d }, (_x, j) => (j === 4 ? 10 : 0));
    const next = blobs(rng, [300, 300, 300, 200], [...[0, 1, 2].map(centreOf), planted]);
    const u = updateCentres(next.x, 1100, d, centres, K, [300, 300, 300], p95);
    expect(u.centres.length).toBe(K * d);
    expect(u.proposal).not.toBeNull();
    const p = u.proposal!;
    // The planted 200 are far from all three; about 5% of the others are past the 95th percentile too.
    expect(p.size).toBeGreaterThanOrEqual(200);
    expect(p.size).toBeLessThan(300);
    expect(p.share).toBeCloseTo(p.size / 1100, 6);
    expect(p.centre[4]).toBeGreaterThan(6);
  });

  it('proposes nothing for a handful of far rows', () => {
    const rng = new Random(3);
    const { centres, p95 } = trained(rng);
    const planted = Array.from({ length: d }, (_x, j) => (j === 4 ? 10 : 0));
    const next = blobs(rng, [300, 300, 300, 15], [...[0, 1, 2].map(centreOf), planted]);
    expect(updateCentres(next.x, 915, d, centres, K, [300, 300, 300], p95).proposal).toBeNull();
  });
});
