// Interns strings to dense integer ids, so the event table stores Int32 codes instead of strings.
// It hashes a range of a larger text directly (FNV-1a over UTF-16 code units) and compares in
// place, so a value already seen costs no allocation at all: on a 1M-row log that is millions of
// short-lived strings (and their Map hashing) saved.
//
// A lookup is mostly waiting for memory (a 1M-row log has 200k 36-character session ids), so each
// slot holds the id, the hash, and where the key's characters are in one byte array (`chars`), and
// a key is compared against those bytes: one slot read and one read of the key's bytes per lookup,
// instead of slot, hash, string pointer and string. Keys with a character above U+00FF (rare in
// ids) are compared against their string instead.
//
// When the text is a block that decoded from as many bytes as it has characters (ASCII: see
// BlockBytes), a lookup hashes and compares those bytes four at a time instead of one character at
// a time: 30-40% less time a lookup (docs/benchmarks.md, the reader). Both paths hash the same
// 32-bit words (four code units, the lowest first), so a key finds itself whichever path adds it.

const STRIDE = 4;
const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

/**
 * The bytes a block of text decoded from, when they line up with it: byte i is character i. The
 * reader sets it for each block (null bytes: not aligned); every Dict of one reader shares it.
 */
export interface BlockBytes {
  text: string;
  bytes: Uint8Array | null;
  view: DataView | null;
}

/** Whether `text` decoded from `bytes` one byte per character (ASCII): their offsets line up. */
export function alignedBytes(text: string, bytes: Uint8Array): boolean {
  // UTF-8 decodes to fewer characters than bytes unless every byte is ASCII or a lone bad byte
  // (one U+FFFD each); a U+FFFD in the text rules the second out.
  return text.length === bytes.length && text.indexOf('\uFFFD') < 0;
}

/** One 32-bit word into the hash (murmur3's step). */
function mix(h: number, k: number): number {
  k = Math.imul(k, C1);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, C2);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** The last step: the length, then an avalanche, so nearby keys land far apart. */
function finish(h: number, len: number): number {
  h ^= len;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** Hash of text[start, end): code units in words of four, the lowest first. */
function hashText(text: string, start: number, end: number): number {
  let h = 0x9747b28c;
  let i = start;
  for (; i + 4 <= end; i += 4) h = mix(h, text.charCodeAt(i) ^ (text.charCodeAt(i + 1) << 8) ^ (text.charCodeAt(i + 2) << 16) ^ (text.charCodeAt(i + 3) << 24));
  if (i < end) {
    let k = 0;
    for (let s = 0; i < end; i++, s += 8) k ^= text.charCodeAt(i) << s;
    h = mix(h, k);
  }
  return finish(h, end - start);
}

/** hashText of the same range, read from its bytes (aligned blocks only). */
function hashBytes(bytes: Uint8Array, view: DataView, start: number, end: number): number {
  let h = 0x9747b28c;
  let i = start;
  for (; i + 4 <= end; i += 4) h = mix(h, view.getInt32(i, true));
  if (i < end) {
    let k = 0;
    for (let s = 0; i < end; i++, s += 8) k ^= bytes[i] << s;
    h = mix(h, k);
  }
  return finish(h, end - start);
}

/** Whether a[ao, ao + len) equals b[bo, bo + len), four bytes at a time. */
function sameBytes(a: Uint8Array, av: DataView, ao: number, b: Uint8Array, bv: DataView, bo: number, len: number): boolean {
  let i = 0;
  for (; i + 4 <= len; i += 4) if (av.getInt32(ao + i, true) !== bv.getInt32(bo + i, true)) return false;
  for (; i < len; i++) if (a[ao + i] !== b[bo + i]) return false;
  return true;
}
/** Slot fields: id + 1 (0 = empty), hash, offset of the key in `chars` (-1: compare with values[id]), length. */
const ID = 0;
const HASH = 1;
const OFF = 2;
const LEN = 3;

export class Dict {
  readonly values: string[] = [];
  private slots = new Int32Array(2048 * STRIDE);
  private mask = 2047;
  /** The keys' characters (Latin-1 keys), one after another. */
  private chars = new Uint8Array(1 << 12);
  private charsView = new DataView(this.chars.buffer);
  private used = 0;
  /** The block being read, when the reader shares one (see BlockBytes). */
  private block: BlockBytes | null = null;
  // Logs repeat the same user, invoice or country on consecutive rows: skip hashing then.
  private lastId = -1;
  private lastOff = -1;
  private lastLen = -1;
  /** The slot and hash of the value that probe last found missing (slot -1: the last lookup found its value). */
  private missSlot = -1;
  private probeHash = 0;

  get size(): number {
    return this.values.length;
  }

  /** Reads ranges of `block.text` from its bytes while they line up (the reader updates it per block). */
  attachBlock(block: BlockBytes): void {
    this.block = block;
  }

  id(value: string): number {
    return this.idOf(value, 0, value.length);
  }

  /** Id of text[start, end) when it is already in, else -1 (nothing is added). */
  find(text: string, start: number, end: number): number {
    return this.probe(text, start, end);
  }

  /** Id of text[start, end), adding it when new. */
  idOf(text: string, start: number, end: number): number {
    const found = this.probe(text, start, end);
    if (found >= 0) return found;
    return this.addMissing(text, start, end);
  }

  /**
   * Adds text[start, end), which the last lookup (find or idOf) of this dictionary was for and
   * found missing, without a second lookup; returns its id.
   */
  addMissing(text: string, start: number, end: number): number {
    const slot = this.missSlot;
    if (slot < 0) throw new Error('Dict.addMissing without a missed lookup');
    this.missSlot = -1;
    const id = this.values.length;
    const len = end - start;
    let off = this.used;
    if (off + len > this.chars.length) {
      const next = new Uint8Array(Math.max(this.chars.length * 2, off + len));
      next.set(this.chars);
      this.chars = next;
      this.charsView = new DataView(next.buffer);
    }
    const chars = this.chars;
    for (let i = 0; i < len; i++) {
      const c = text.charCodeAt(start + i);
      if (c > 255) {
        off = -1;
        break;
      }
      chars[off + i] = c;
    }
    if (off >= 0) this.used = off + len;
    this.values.push(detach(start === 0 && end === text.length ? text : text.slice(start, end)));
    const p = slot * STRIDE;
    const slots = this.slots;
    slots[p + ID] = id + 1;
    slots[p + HASH] = this.probeHash;
    slots[p + OFF] = off;
    slots[p + LEN] = len;
    this.lastId = id;
    this.lastOff = off;
    this.lastLen = len;
    if (this.values.length * 2 > this.mask + 1) this.rehash();
    return id;
  }

  /**
   * The one lookup of find and idOf: the id of text[start, end) when it is in; else -1, with the
   * empty slot where it goes and its hash left in missSlot and probeHash (no allocation either way).
   */
  private probe(text: string, start: number, end: number): number {
    this.missSlot = -1;
    const len = end - start;
    // A range of the attached block is read from its bytes (same hash, same slots).
    const block = this.block;
    const bytes = block !== null && text === block.text ? block.bytes : null;
    const view = bytes === null ? null : block!.view;
    if (len === this.lastLen && this.lastOff >= 0 && this.holds(this.lastOff, this.lastId, text, bytes, view, start, len)) return this.lastId;
    const h = bytes === null ? hashText(text, start, end) : hashBytes(bytes, view!, start, end);
    const slots = this.slots;
    const mask = this.mask;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const p = slot * STRIDE;
      const entry = slots[p + ID];
      if (entry === 0) {
        this.missSlot = slot;
        this.probeHash = h;
        return -1;
      }
      if (slots[p + HASH] === h && slots[p + LEN] === len) {
        const off = slots[p + OFF];
        if (this.holds(off, entry - 1, text, bytes, view, start, len)) {
          this.lastId = entry - 1;
          this.lastOff = off;
          this.lastLen = len;
          return entry - 1;
        }
      }
    }
  }

  /** Whether key `id` (its bytes at `off`, or -1: its string) is text[start, start + len), read from `bytes` when given. */
  private holds(off: number, id: number, text: string, bytes: Uint8Array | null, view: DataView | null, start: number, len: number): boolean {
    // A key stored as its string has a character above U+00FF, so it cannot equal ASCII bytes.
    if (off < 0) return bytes === null && text.startsWith(this.values[id], start);
    return bytes === null ? sameChars(this.chars, off, text, start, len) : sameBytes(this.chars, this.charsView, off, bytes, view!, start, len);
  }

  private rehash(): void {
    const size = (this.mask + 1) * 2;
    const slots = new Int32Array(size * STRIDE);
    const mask = size - 1;
    const old = this.slots;
    for (let p = 0; p < old.length; p += STRIDE) {
      if (old[p + ID] === 0) continue;
      let q = (old[p + HASH] & mask) * STRIDE;
      while (slots[q + ID] !== 0) q = (q + STRIDE) & (size * STRIDE - 1);
      slots[q + ID] = old[p + ID];
      slots[q + HASH] = old[p + HASH];
      slots[q + OFF] = old[p + OFF];
      slots[q + LEN] = old[p + LEN];
    }
    this.slots = slots;
    this.mask = mask;
  }
}

/** Whether chars[off, off + len) holds the code units of text[start, start + len). */
function sameChars(chars: Uint8Array, off: number, text: string, start: number, len: number): boolean {
  for (let i = 0; i < len; i++) if (chars[off + i] !== text.charCodeAt(start + i)) return false;
  return true;
}

/**
 * A copy of `s` that does not share memory with the text it was cut from. V8 represents slices of
 * 13+ characters as views into their parent string, so keeping an id would keep a whole decoded
 * block (megabytes) alive; flattening a concatenation breaks that link.
 */
export function detach(s: string): string {
  return s.length >= 13 ? ` ${s}`.slice(1) : s;
}
