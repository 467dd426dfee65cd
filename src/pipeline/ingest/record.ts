// One record as field ranges over a text, so that the hot path reads fields in place: for plain
// CSV lines the text is the whole decoded block and nothing is sliced until a value is needed.

export class RecordView {
  text = '';
  starts = new Int32Array(64);
  ends = new Int32Array(64);
  count = 0;

  reset(text: string): void {
    this.text = text;
    this.count = 0;
  }

  push(start: number, end: number): void {
    const n = this.count;
    if (n === this.starts.length) {
      const s = new Int32Array(n * 2);
      const e = new Int32Array(n * 2);
      s.set(this.starts);
      e.set(this.ends);
      this.starts = s;
      this.ends = e;
    }
    this.starts[n] = start;
    this.ends[n] = end;
    this.count = n + 1;
  }

  /** Points the view at already separated values (quoted CSV, JSON): joined so ranges still work. */
  setStrings(fields: string[]): void {
    this.reset(fields.join('\u0000'));
    let pos = 0;
    for (const f of fields) {
      this.push(pos, pos + f.length);
      pos += f.length + 1;
    }
  }

  field(i: number): string {
    return this.text.slice(this.starts[i], this.ends[i]);
  }

  fields(): string[] {
    const out: string[] = [];
    for (let i = 0; i < this.count; i++) out.push(this.field(i));
    return out;
  }
}
