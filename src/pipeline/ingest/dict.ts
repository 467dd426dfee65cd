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

const STRIDE = 4;
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
  private used = 0;
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
    const chars = this.chars;
    if (len === this.lastLen && this.lastOff >= 0 && sameChars(chars, this.lastOff, text, start, len)) return this.lastId;
    let h = 0x811c9dc5;
    for (let i = start; i < end; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
    h |= 0; // as stored in the Int32Array (the empty key's hash is the unsigned seed)
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
        if (off >= 0 ? sameChars(chars, off, text, start, len) : text.startsWith(this.values[entry - 1], start)) {
          this.lastId = entry - 1;
          this.lastOff = off;
          this.lastLen = len;
          return entry - 1;
        }
      }
    }
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
