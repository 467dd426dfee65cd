// Eigen-decomposition of small symmetric matrices (a few dozen rows): the spectral map start and the
// whitening of sequence embeddings, where a general solver would be more code than the problem.

/** Eigen-decomposition of a small symmetric p x p matrix by cyclic Jacobi rotations; eigenvector i is column i of `vectors` (row-major p x p). */
export function jacobiEigen(A: Float64Array, p: number): { values: Float64Array; vectors: Float64Array } {
  const M = Float64Array.from(A);
  const Q = new Float64Array(p * p);
  for (let i = 0; i < p; i++) Q[i * p + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < p; i++) for (let j = i + 1; j < p; j++) off += M[i * p + j] * M[i * p + j];
    if (off < 1e-30) break;
    for (let i = 0; i < p; i++) {
      for (let j = i + 1; j < p; j++) {
        const aij = M[i * p + j];
        if (Math.abs(aij) < 1e-300) continue;
        const theta = (M[j * p + j] - M[i * p + i]) / (2 * aij);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < p; k++) {
          const mik = M[i * p + k];
          const mjk = M[j * p + k];
          M[i * p + k] = c * mik - s * mjk;
          M[j * p + k] = s * mik + c * mjk;
        }
        for (let k = 0; k < p; k++) {
          const mki = M[k * p + i];
          const mkj = M[k * p + j];
          M[k * p + i] = c * mki - s * mkj;
          M[k * p + j] = s * mki + c * mkj;
        }
        for (let k = 0; k < p; k++) {
          const qki = Q[k * p + i];
          const qkj = Q[k * p + j];
          Q[k * p + i] = c * qki - s * qkj;
          Q[k * p + j] = s * qki + c * qkj;
        }
      }
    }
  }
  const values = new Float64Array(p);
  for (let i = 0; i < p; i++) values[i] = M[i * p + i];
  return { values, vectors: Q };
}
