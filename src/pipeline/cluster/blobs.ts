import { Rng } from '../numeric/random';

export interface BlobOptions {
  /** Standard deviation of every blob along every axis. Default 1. */
  std?: number;
  /** Blob centres are drawn uniformly from [-box, box] per axis (scikit-learn's center_box). Default 10. */
  box?: number;
  seed?: number;
  /** Float32 (what embeddings usually are) or Float64. Default Float32. */
  float64?: boolean;
}

/**
 * Isotropic Gaussian blobs like scikit-learn's make_blobs (not the same numbers): synthetic,
 * seeded input for the benchmark and tests. Points are assigned to blobs at random.
 */
export function makeBlobs(
  n: number,
  d: number,
  blobs: number,
  opts: BlobOptions = {},
): { data: Float32Array | Float64Array; labels: Int32Array; centres: Float64Array } {
  const std = opts.std ?? 1;
  const box = opts.box ?? 10;
  const rng = new Rng(opts.seed ?? 0);
  const centres = new Float64Array(blobs * d);
  for (let i = 0; i < centres.length; i++) centres[i] = (2 * rng.nextFloat() - 1) * box;
  const data = opts.float64 ? new Float64Array(n * d) : new Float32Array(n * d);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = rng.nextInt(blobs);
    labels[i] = c;
    for (let j = 0; j < d; j++) data[i * d + j] = centres[c * d + j] + std * rng.nextGaussian();
  }
  return { data, labels, centres };
}
