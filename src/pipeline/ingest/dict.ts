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
      this.ids.set(value, id);
      this.values.push(value);
    }
    this.lastValue = value;
    this.lastId = id;
    return id;
  }

  get size(): number {
    return this.values.length;
  }
}
