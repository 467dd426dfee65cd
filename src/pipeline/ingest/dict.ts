// Interns strings to dense integer ids, so the event table stores Int32 codes instead of strings.
// It hashes a range of a larger text directly (FNV-1a over UTF-16 code units) and compares in
// place with startsWith, so a value already seen costs no allocation at all: on a 1M-row log that
// is millions of short-lived strings (and their Map hashing) saved.

const EMPTY = 0;

export class Dict {
  readonly values: string[] = [];
  private hashes = new Uint32Array(1024);
  /** Open-addressing table of id + 1 (0 = empty slot); size is a power of two. */
  private slots = new Int32Array(2048);
  private mask = 2047;
  // Logs repeat the same user, invoice or country on consecutive rows: skip hashing then.
  private lastValue = '';
  private lastId = -1;
  /** The hash of the value that probe last found missing. */
  private probeHash = 0;

  get size(): number {
    return this.values.length;
  }

  id(value: string): number {
    return this.idOf(value, 0, value.length);
  }

  /** Id of text[start, end) when it is already in, else -1 (nothing is added). */
  find(text: string, start: number, end: number): number {
    const found = this.probe(text, start, end);
    return found >= 0 ? found : -1;
  }

  /** Id of text[start, end), adding it when new. */
  idOf(text: string, start: number, end: number): number {
    const found = this.probe(text, start, end);
    if (found >= 0) return found;
    const slot = -1 - found;
    const h = this.probeHash;
    const id = this.values.length;
    const value = detach(start === 0 && end === text.length ? text : text.slice(start, end));
    this.values.push(value);
    if (id >= this.hashes.length) {
      const next = new Uint32Array(this.hashes.length * 2);
      next.set(this.hashes);
      this.hashes = next;
    }
    this.hashes[id] = h;
    this.slots[slot] = id + 1;
    if (this.values.length * 2 > this.slots.length) this.rehash();
    this.lastValue = value;
    this.lastId = id;
    return id;
  }

  /**
   * The one lookup of find and idOf: the id of text[start, end) when it is in; else -1 - the empty
   * slot where it goes, with its hash left in probeHash (a number either way: no allocation).
   */
  private probe(text: string, start: number, end: number): number {
    const len = end - start;
    const last = this.lastValue;
    if (this.lastId >= 0 && last.length === len && text.startsWith(last, start)) return this.lastId;
    let h = 0x811c9dc5;
    for (let i = start; i < end; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
    h >>>= 0;
    const slots = this.slots;
    const mask = this.mask;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const entry = slots[slot];
      if (entry === EMPTY) {
        this.probeHash = h;
        return -1 - slot;
      }
      const id = entry - 1;
      if (this.hashes[id] === h) {
        const v = this.values[id];
        if (v.length === len && text.startsWith(v, start)) {
          this.lastValue = v;
          this.lastId = id;
          return id;
        }
      }
    }
  }

  private rehash(): void {
    const size = this.slots.length * 2;
    const slots = new Int32Array(size);
    const mask = size - 1;
    for (let id = 0; id < this.values.length; id++) {
      let slot = this.hashes[id] & mask;
      while (slots[slot] !== EMPTY) slot = (slot + 1) & mask;
      slots[slot] = id + 1;
    }
    this.slots = slots;
    this.mask = mask;
  }
}

/**
 * A copy of `s` that does not share memory with the text it was cut from. V8 represents slices of
 * 13+ characters as views into their parent string, so keeping an id would keep a whole decoded
 * block (megabytes) alive; flattening a concatenation breaks that link.
 */
export function detach(s: string): string {
  return s.length >= 13 ? ` ${s}`.slice(1) : s;
}
