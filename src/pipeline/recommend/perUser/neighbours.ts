// Sparse item-to-item neighbour lists (CSR, top K per item by weight) from training baskets:
// - knn: cosine over binary user-item vectors, c_ij / sqrt(n_i n_j) (ItemKNN);
// - rp3: RP3beta, the two-step walk item -> user -> item, (1/n_i) sum_u 1/deg(u), divided by
//   n_j^beta so that popular items do not win every list;
// - next: items bought in a user's next basket after a basket holding i, c_ij / sqrt(m_i n_j)
//   (m_i: baskets with i that have a next basket), the sequential signal.
// Each row is built with one dense accumulator and a touched list, so the work is the sum over
// users of deg(u)^2 and the memory n x K.

import type { Baskets } from '../../eval/baskets';

export interface Neighbours {
  ptr: Int32Array;
  item: Int32Array;
  weight: Float32Array;
}

export interface ItemUserIndex {
  /** user -> distinct items (CSR, ascending). */
  uPtr: Int32Array;
  uItems: Int32Array;
  /** item -> users (CSR). */
  iPtr: Int32Array;
  iUsers: Int32Array;
}

export function itemUserIndex(b: Baskets, uPtr: Int32Array, uItems: Int32Array): ItemUserIndex {
  const n = b.itemCount;
  const iPtr = new Int32Array(n + 1);
  for (let k = 0; k < uItems.length; k++) iPtr[uItems[k] + 1]++;
  for (let i = 0; i < n; i++) iPtr[i + 1] += iPtr[i];
  const fill = iPtr.slice(0, n);
  const iUsers = new Int32Array(uItems.length);
  for (let u = 0; u < b.userCount; u++) for (let k = uPtr[u]; k < uPtr[u + 1]; k++) iUsers[fill[uItems[k]]++] = u;
  return { uPtr, uItems, iPtr, iUsers };
}

/**
 * The k-th largest of a[0..m) (k >= 1, k <= m). For k small against m (neighbour lists, top-50
 * customers, pruning), a min-heap of the k largest in `s`: one pass, no copy, and most values fail
 * the first comparison once the heap is full; else quickselect on the scratch copy `s`.
 */
export function kthLargest(a: Float64Array, m: number, k: number, s: Float64Array): number {
  if (k * 8 <= m) return kthLargestHeap(a, m, k, s);
  s.set(a.subarray(0, m));
  let lo = 0;
  let hi = m - 1;
  const target = k - 1;
  while (lo < hi) {
    const pivot = s[(lo + hi) >>> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (s[i] > pivot) i++;
      while (s[j] < pivot) j--;
      if (i <= j) {
        const t = s[i];
        s[i] = s[j];
        s[j] = t;
        i++;
        j--;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else break;
  }
  return s[target];
}

/** kthLargest by a min-heap of the k largest so far (heap[0] the smallest of them). */
function kthLargestHeap(a: Float64Array, m: number, k: number, heap: Float64Array): number {
  let h = 0;
  for (let q = 0; q < m; q++) h = keepLargest(heap, h, k, a[q]);
  return heap[0];
}

/**
 * One step of keeping the k largest values seen in a min-heap (heap[0] the smallest of them):
 * x enters while fewer than k are held, else replaces the smallest when larger. Returns the new
 * count. Shared by the k-th largest cut and UserKNN's nearest customers.
 */
export function keepLargest(heap: Float64Array, h: number, k: number, x: number): number {
  if (h < k) {
    let c = h++;
    while (c > 0) {
      const p = (c - 1) >> 1;
      if (heap[p] <= x) break;
      heap[c] = heap[p];
      c = p;
    }
    heap[c] = x;
  } else if (x > heap[0]) {
    let c = 0;
    for (;;) {
      let l = 2 * c + 1;
      if (l >= k) break;
      if (l + 1 < k && heap[l + 1] < heap[l]) l++;
      if (heap[l] >= x) break;
      heap[c] = heap[l];
      c = l;
    }
    heap[c] = x;
  }
  return h;
}

/**
 * The K best of vals/js[0..m) by (value descending, item ascending) into `sel`, best first;
 * returns how many (min(m, K)). One pass with a heap of the kept ones whose root is the worst of
 * them (most candidates fail the first comparison once it is full), then the kept ones sorted in
 * place: no per-row allocation and no comparator call per pair, unlike selecting with a sort.
 * `sel` must hold K entries. Exported for the brute-force test.
 */
export function selectTopK(vals: Float64Array, js: Int32Array, m: number, K: number, sel: Int32Array): number {
  const keep = Math.min(m, K);
  if (keep <= 0) return 0;
  // worse(a, b): a ranks below b.
  let h = 0;
  for (let t = 0; t < keep; t++) {
    // Sift up.
    const v = vals[t];
    const jt = js[t];
    let c = h++;
    while (c > 0) {
      const p = (c - 1) >> 1;
      const sp = sel[p];
      const vp = vals[sp];
      if (vp < v || (vp === v && js[sp] > jt)) break;
      sel[c] = sp;
      c = p;
    }
    sel[c] = t;
  }
  let rootV = vals[sel[0]];
  let rootJ = js[sel[0]];
  for (let t = keep; t < m; t++) {
    const v = vals[t];
    if (v < rootV) continue;
    const jt = js[t];
    if (v === rootV && jt > rootJ) continue;
    // t replaces the root; sift down.
    let c = 0;
    for (;;) {
      let l = 2 * c + 1;
      if (l >= keep) break;
      if (l + 1 < keep) {
        const a = sel[l];
        const b = sel[l + 1];
        if (vals[b] < vals[a] || (vals[b] === vals[a] && js[b] > js[a])) l++;
      }
      const sl = sel[l];
      const vl = vals[sl];
      if (vl > v || (vl === v && js[sl] < jt)) break;
      sel[c] = sl;
      c = l;
    }
    sel[c] = t;
    rootV = vals[sel[0]];
    rootJ = js[sel[0]];
  }
  // Heap sort: the worst goes to the end each time, so the array ends best first.
  for (let end = keep - 1; end > 0; end--) {
    const top = sel[0];
    const x = sel[end];
    const v = vals[x];
    const jx = js[x];
    let c = 0;
    for (;;) {
      let l = 2 * c + 1;
      if (l >= end) break;
      if (l + 1 < end) {
        const a = sel[l];
        const b = sel[l + 1];
        if (vals[b] < vals[a] || (vals[b] === vals[a] && js[b] > js[a])) l++;
      }
      const sl = sel[l];
      const vl = vals[sl];
      if (vl > v || (vl === v && js[sl] < jx)) break;
      sel[c] = sl;
      c = l;
    }
    sel[c] = x;
    sel[end] = top;
  }
  return keep;
}

/**
 * Keeps the K best of the candidates the caller wrote to js/vals[0..m) (positive values, item i
 * itself left out) as row i: highest value first, equal values by lower item. The caller fills
 * them inline: a value callback per candidate was a good part of the fit's time.
 */
class RowCollector {
  private ptr: Int32Array;
  private item: Int32Array;
  private weight: Float32Array;
  private rows = 0;
  private total = 0;
  readonly vals: Float64Array;
  readonly js: Int32Array;
  private readonly sel: Int32Array;
  constructor(
    private readonly K: number,
    n: number,
  ) {
    this.vals = new Float64Array(n);
    this.js = new Int32Array(n);
    this.sel = new Int32Array(Math.max(1, K));
    this.ptr = new Int32Array(n + 1);
    this.item = new Int32Array(Math.max(16, Math.min(n * K, 1 << 20)));
    this.weight = new Float32Array(this.item.length);
  }
  add(m: number): void {
    const { vals, js, sel } = this;
    const size = selectTopK(vals, js, m, this.K, sel);
    if (this.total + size > this.item.length) {
      const cap = Math.max(this.total + size, this.item.length * 2);
      const item = new Int32Array(cap);
      item.set(this.item.subarray(0, this.total));
      const weight = new Float32Array(cap);
      weight.set(this.weight.subarray(0, this.total));
      this.item = item;
      this.weight = weight;
    }
    const o = this.total;
    for (let r = 0; r < size; r++) {
      this.item[o + r] = js[sel[r]];
      this.weight[o + r] = vals[sel[r]];
    }
    this.total += size;
    if (this.rows + 1 >= this.ptr.length) {
      const ptr = new Int32Array(this.ptr.length * 2);
      ptr.set(this.ptr);
      this.ptr = ptr;
    }
    this.ptr[++this.rows] = this.total;
  }
  build(): Neighbours {
    return { ptr: this.ptr.slice(0, this.rows + 1), item: this.item.slice(0, this.total), weight: this.weight.slice(0, this.total) };
  }
}

/** ItemKNN (cosine) and RP3beta rows in one pass over the co-occurrences. */
export function cooccurrenceNeighbours(idx: ItemUserIndex, itemCount: number, K: number, beta: number): { knn: Neighbours; rp3: Neighbours } {
  const n = itemCount;
  const { uPtr, uItems, iPtr, iUsers } = idx;
  const deg = (i: number): number => iPtr[i + 1] - iPtr[i];
  const c = new Float64Array(n);
  const w = new Float64Array(n);
  const touched = new Int32Array(n);
  const knn = new RowCollector(K, n);
  const rp3 = new RowCollector(K, n);
  const popBeta = new Float64Array(n);
  for (let j = 0; j < n; j++) popBeta[j] = deg(j) > 0 ? deg(j) ** beta : 1;
  for (let i = 0; i < n; i++) {
    let count = 0;
    for (let a = iPtr[i]; a < iPtr[i + 1]; a++) {
      const u = iUsers[a];
      const inv = 1 / (uPtr[u + 1] - uPtr[u]);
      for (let k = uPtr[u]; k < uPtr[u + 1]; k++) {
        const j = uItems[k];
        if (c[j] === 0) touched[count++] = j;
        c[j] += 1;
        w[j] += inv;
      }
    }
    const ni = deg(i);
    const { js: kj, vals: kv } = knn;
    const { js: rj, vals: rv } = rp3;
    let mk = 0;
    let mr = 0;
    for (let t = 0; t < count; t++) {
      const j = touched[t];
      if (j === i) continue;
      const vk = c[j] / Math.sqrt(ni * (iPtr[j + 1] - iPtr[j]));
      if (vk > 0) {
        kj[mk] = j;
        kv[mk++] = vk;
      }
      const vr = w[j] / ni / popBeta[j];
      if (vr > 0) {
        rj[mr] = j;
        rv[mr++] = vr;
      }
    }
    knn.add(mk);
    rp3.add(mr);
    for (let t = 0; t < count; t++) {
      c[touched[t]] = 0;
      w[touched[t]] = 0;
    }
  }
  return { knn: knn.build(), rp3: rp3.build() };
}

/** Next-basket transitions: row i = items of the baskets that follow a basket holding i. */
export function nextBasketNeighbours(b: Baskets, itemCount: number, userDeg: (i: number) => number, K: number): Neighbours {
  const n = itemCount;
  const B = b.basketUser.length;
  // item -> baskets holding it that have a next basket of the same user.
  const oPtr = new Int32Array(n + 1);
  const hasNext = (x: number): boolean => x + 1 < B && b.basketUser[x + 1] === b.basketUser[x];
  for (let x = 0; x < B; x++) if (hasNext(x)) for (let k = b.ptr[x]; k < b.ptr[x + 1]; k++) oPtr[b.items[k] + 1]++;
  for (let i = 0; i < n; i++) oPtr[i + 1] += oPtr[i];
  const fill = oPtr.slice(0, n);
  const occ = new Int32Array(oPtr[n]);
  for (let x = 0; x < B; x++) if (hasNext(x)) for (let k = b.ptr[x]; k < b.ptr[x + 1]; k++) occ[fill[b.items[k]]++] = x;
  const c = new Float64Array(n);
  const touched = new Int32Array(n);
  const rows = new RowCollector(K, n);
  for (let i = 0; i < n; i++) {
    let count = 0;
    for (let a = oPtr[i]; a < oPtr[i + 1]; a++) {
      const x = occ[a] + 1;
      for (let k = b.ptr[x]; k < b.ptr[x + 1]; k++) {
        const j = b.items[k];
        if (c[j] === 0) touched[count++] = j;
        c[j] += 1;
      }
    }
    const mi = oPtr[i + 1] - oPtr[i];
    let m = 0;
    for (let t = 0; t < count; t++) {
      const j = touched[t];
      if (j === i) continue;
      const v = c[j] / Math.sqrt(mi * Math.max(1, userDeg(j)));
      if (v > 0) {
        rows.js[m] = j;
        rows.vals[m++] = v;
      }
    }
    rows.add(m);
    for (let t = 0; t < count; t++) c[touched[t]] = 0;
  }
  return rows.build();
}
