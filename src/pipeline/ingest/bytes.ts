// Byte chunks from a stream, joined.

/** The chunks as one array (the chunk itself when there is only one). */
export function joinBytes(parts: readonly Uint8Array[], n = parts.reduce((a, p) => a + p.length, 0)): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(n);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Reads until at least `min` bytes are in hand or the stream ends (all of it with min = Infinity). */
export async function readAtLeast(reader: ReadableStreamDefaultReader<Uint8Array>, min: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let n = 0;
  while (n < min) {
    const r = await reader.read();
    if (r.done) break;
    parts.push(r.value);
    n += r.value.length;
  }
  return parts.length === 0 ? new Uint8Array(0) : joinBytes(parts, n);
}
