type TypedArray = Int32Array | Float64Array | Float32Array | Uint8Array;
type Ctor<T extends TypedArray> = new (length: number) => T;

/** Doubles a typed array's capacity; the caller keeps the logical length. */
export function grow<T extends TypedArray>(array: T, ctor: Ctor<T>, minCapacity: number): T {
  let capacity = Math.max(16, array.length);
  while (capacity < minCapacity) capacity *= 2;
  if (capacity === array.length) return array;
  const next = new ctor(capacity);
  next.set(array as never);
  return next;
}

/** Copies the first `length` elements into an array of exactly that size (drops spare capacity). */
export function trim<T extends TypedArray>(array: T, length: number): T {
  if (array.length === length) return array;
  const out = new (array.constructor as Ctor<T>)(length);
  out.set(array.subarray(0, length) as never);
  return out;
}

/** A copy of the array's first elements in an array of exactly `size` elements. */
export function resize<T extends TypedArray>(array: T, ctor: Ctor<T>, size: number): T {
  if (size === array.length) return array;
  const next = new ctor(size);
  next.set((size < array.length ? array.subarray(0, size) : array) as never);
  return next;
}

/**
 * The first `length` elements, as a view when the spare capacity is small (no copy, so no second
 * column in memory at the peak), else as a trimmed copy.
 */
export function fit<T extends TypedArray>(array: T, length: number): T {
  if (array.length === length) return array;
  if (length >= array.length * 0.9) return array.subarray(0, length) as T;
  return trim(array, length);
}
