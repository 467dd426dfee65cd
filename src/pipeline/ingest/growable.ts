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
