// A growable list of (row, col, value) triplets in typed arrays: the staging area every sparse
// matrix here is built from.

export class CooBuffer {
  r: Int32Array;
  c: Int32Array;
  v: Float64Array;
  length = 0;

  constructor(capacity = 1024) {
    const cap = Math.max(16, capacity);
    this.r = new Int32Array(cap);
    this.c = new Int32Array(cap);
    this.v = new Float64Array(cap);
  }

  push(row: number, col: number, value: number): void {
    if (this.length === this.r.length) this.grow();
    const n = this.length++;
    this.r[n] = row;
    this.c[n] = col;
    this.v[n] = value;
  }

  private grow(): void {
    const cap = this.r.length * 2;
    const r = new Int32Array(cap);
    const c = new Int32Array(cap);
    const v = new Float64Array(cap);
    r.set(this.r);
    c.set(this.c);
    v.set(this.v);
    this.r = r;
    this.c = c;
    this.v = v;
  }
}
