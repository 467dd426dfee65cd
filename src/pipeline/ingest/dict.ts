/** Interns strings to dense integer ids, so hot paths store Int32 codes instead of strings. */
export class Dict {
  private readonly ids = new Map<string, number>();
  readonly values: string[] = [];
  // Logs repeat the same user, invoice or country on consecutive rows: skip the hash lookup then.
  private lastValue: string | null = null;
  private lastId = -1;

  id(value: string): number {
    if (value === this.lastValue) return this.lastId;
    let id = this.ids.get(value);
    if (id === undefined) {
      id = this.values.length;
      const own = detach(value);
      this.ids.set(own, id);
      this.values.push(own);
    }
    this.lastValue = value;
    this.lastId = id;
    return id;
  }

  get size(): number {
    return this.values.length;
  }
}

/**
 * A copy of `s` that does not share memory with the text it was cut from. V8 represents slices of
 * 13+ characters as views into their parent string, so keeping an id would keep a whole decoded
 * block (megabytes) alive; flattening a concatenation breaks that link.
 */
export function detach(s: string): string {
  return s.length >= 13 ? (' ' + s).slice(1) : s;
}
