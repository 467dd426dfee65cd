// Shapes of the row-major matrices the stages pass around, and the length checks of the GCN's
// kernels (CPU and WebGPU alike). Stage-specific checks with their own error types (finiteness,
// user-facing messages) stay with their stages, e.g. cluster/validate.ts checkMatrix.

/** A row-major n x d matrix of numbers: float32 for large inputs, float64 where precision matters. */
export type Matrix = Float32Array | Float64Array;

/** Throws RangeError unless `d` is a whole number >= 0 (a matrix width). */
export function checkWidth(d: number, what: string): void {
  if (!Number.isInteger(d) || d < 0) throw new RangeError(`${what}: bad width ${d}.`);
}

/** Throws RangeError unless `m` holds at least rows x cols numbers. */
export function checkHolds(m: ArrayLike<number>, rows: number, cols: number, what: string): void {
  if (m.length < rows * cols) throw new RangeError(`${what} holds ${m.length} numbers, needs ${rows} x ${cols}.`);
}
