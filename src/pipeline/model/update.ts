// Update mode: the saved centres follow the new log (streaming k-means with a forgetting factor, as
// Spark MLlib's StreamingKMeans: per mini-batch, centre = (centre x n x a + sum of its new points) /
// (n x a + m), n = its weight so far, m its new points; rows farther than the training scale from
// every centre move none), and a new segment is proposed, never added,
// when many customers sit farther from every centre than the training log's 95th percentile of
// distances to their own centre. Plain typed-array code over n x d rows.

export interface UpdateOptions {
  /**
   * The weight the training log keeps once the whole new log has been seen (default 0.5): each
   * batch of b rows out of n multiplies every centre's weight by decay^(b / n).
   */
  decay?: number;
  /** Rows per mini-batch (default 1024). */
  batchSize?: number;
  /** A new segment is proposed when more than this share of the rows is far (default 0.1)... */
  farShare?: number;
  /** ...and at least this many (default 20). */
  farMin?: number;
}

export interface Proposal {
  /** Rows farther than the training scale from every centre. */
  size: number;
  share: number;
  /** Their mean (d). */
  centre: Float32Array;
}

export interface UpdateResult {
  /** k x d, moved. */
  centres: Float32Array;
  /** Each row's nearest moved centre, and the distance to it. */
  labels: Int32Array;
  distance: Float64Array;
  /** How far each centre moved (Euclidean). */
  shift: number[];
  proposal: Proposal | null;
}

/** Each row's nearest centre (Euclidean; ties to the lowest) and the distance to it. */
export function nearestCentres(x: Float32Array, n: number, d: number, centres: Float32Array, k: number): { labels: Int32Array; distance: Float64Array } {
  const labels = new Int32Array(n);
  const distance = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const row = i * d;
    let best = 0;
    let bestD = Number.POSITIVE_INFINITY;
    for (let c = 0; c < k; c++) {
      const o = c * d;
      let s = 0;
      for (let j = 0; j < d; j++) {
        const t = x[row + j] - centres[o + j];
        s += t * t;
      }
      if (s < bestD) {
        bestD = s;
        best = c;
      }
    }
    labels[i] = best;
    distance[i] = Math.sqrt(bestD);
  }
  return { labels, distance };
}

/**
 * Moves `centres` (k x d, each with weight `sizes[c]` from the training log) with the rows of the
 * new log, then assigns every row to the moved centres and looks for a group far from all of them
 * (`scale`: the training log's 95th-percentile distance to the own centre).
 */
export function updateCentres(
  x: Float32Array,
  n: number,
  d: number,
  start: Float32Array,
  k: number,
  sizes: readonly number[],
  scale: number,
  opts: UpdateOptions = {},
): UpdateResult {
  const decay = opts.decay ?? 0.5;
  const batchSize = Math.max(1, opts.batchSize ?? 1024);
  if (!(decay > 0 && decay <= 1)) throw new RangeError(`updateCentres: decay ${decay} is not in (0, 1].`);
  const centres = Float64Array.from(start);
  const weight = Float64Array.from({ length: k }, (_x, c) => Math.max(0, sizes[c] ?? 0));
  const sum = new Float64Array(k * d);
  const count = new Float64Array(k);
  const probe = new Float32Array(k * d);
  for (let at = 0; at < n; at += batchSize) {
    const end = Math.min(n, at + batchSize);
    probe.set(centres);
    const near = nearestCentres(x.subarray(at * d, end * d), end - at, d, probe, k);
    sum.fill(0);
    count.fill(0);
    for (let i = 0; i < end - at; i++) {
      // A row past the training scale from every centre moves none: a group of such rows would drag
      // a segment away from its own customers; they are what a proposal is made of instead.
      if (scale > 0 && near.distance[i] > scale) continue;
      const c = near.labels[i];
      count[c]++;
      for (let j = 0; j < d; j++) sum[c * d + j] += x[(at + i) * d + j];
    }
    const a = decay ** ((end - at) / n);
    for (let c = 0; c < k; c++) {
      const old = weight[c] * a;
      const w = old + count[c];
      if (w > 0) for (let j = 0; j < d; j++) centres[c * d + j] = (centres[c * d + j] * old + sum[c * d + j]) / w;
      weight[c] = w;
    }
  }
  const moved = Float32Array.from(centres);
  const shift = Array.from({ length: k }, (_x, c) => {
    let s = 0;
    for (let j = 0; j < d; j++) s += (moved[c * d + j] - start[c * d + j]) ** 2;
    return Math.sqrt(s);
  });
  const { labels, distance } = nearestCentres(x, n, d, moved, k);
  return { centres: moved, labels, distance, shift, proposal: proposeSegment(x, n, d, distance, scale, opts) };
}

/** A new segment of the rows farther than `scale` from every centre, when there are many of them. */
export function proposeSegment(x: Float32Array, n: number, d: number, distance: Float64Array, scale: number, opts: UpdateOptions = {}): Proposal | null {
  const farShare = opts.farShare ?? 0.1;
  const farMin = opts.farMin ?? 20;
  const mean = new Float64Array(d);
  let size = 0;
  for (let i = 0; i < n; i++) {
    if (!(distance[i] > scale)) continue;
    size++;
    for (let j = 0; j < d; j++) mean[j] += x[i * d + j];
  }
  if (size < farMin || size <= farShare * n) return null;
  return { size, share: size / n, centre: Float32Array.from(mean, (v) => v / size) };
}
