// Squared distances for k-means in WebAssembly SIMD, with exactly the arithmetic of the JavaScript
// kernels (assign.ts, numeric/distance.ts): each (point, centre) sum is formed in j order, one
// float64 accumulator, (x - c) * (x - c) added after the multiplication (WebAssembly never fuses a
// multiply and an add). The vector lanes run across two centres, never across coordinates, so
// every lane holds one such sum and the values are equal bit for bit to squaredDistance's. A
// caller may therefore use either path and get the same labels, bounds and inertias.
//
// The module is small and written out here as bytes (no toolchain, nothing fetched; about 4 KB):
// listed points against all centres (two points against up to eight centres at a time), listed
// points against one centre each, per-column sums for the tolerance's variance and per-cluster
// sums (lanes across two columns, each summed in row order, so again bit for bit), and a row copy.
// The data are copied into the module's memory once per instance; an instance belongs to one
// k-means call and hands its memory back at the end (release), for the next call to reuse.
import { squaredDistance } from '../numeric/distance';
import { addRowTo, distancesFromTwoPoints, distancesToCentres } from './assign';
import type { Matrix } from './types';

// ---- a minimal WebAssembly encoder --------------------------------------------------------------

const I32 = 0x7f;
const F64 = 0x7c;
const V128 = 0x7b;

function uleb(v: number): number[] {
  const out: number[] = [];
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
  return out;
}

function sleb(v: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

function str(s: string): number[] {
  return [...uleb(s.length), ...Array.from(s, (ch) => ch.charCodeAt(0))];
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

/** Instruction emitter for one function body. */
class Code {
  readonly bytes: number[] = [];
  private readonly localTypes: number[] = [];

  constructor(private readonly params: number) {}

  local(type: number): number {
    this.localTypes.push(type);
    return this.params + this.localTypes.length - 1;
  }

  op(...b: number[]): this {
    this.bytes.push(...b);
    return this;
  }
  get(i: number): this {
    return this.op(0x20, ...uleb(i));
  }
  set(i: number): this {
    return this.op(0x21, ...uleb(i));
  }
  tee(i: number): this {
    return this.op(0x22, ...uleb(i));
  }
  i32(v: number): this {
    return this.op(0x41, ...sleb(v));
  }
  simd(opcode: number, ...imm: number[]): this {
    return this.op(0xfd, ...uleb(opcode), ...imm);
  }
  /** The data value at the address on the stack, as float64 (float32 data promoted). */
  loadValue(f32: boolean): this {
    return f32 ? this.op(OP.f32Load, ...Code.mem(0), OP.f64Promote) : this.op(OP.f64Load, ...Code.mem(0));
  }
  /** The two data values at the address on the stack, as an f64x2 (float32 data promoted). */
  loadPair(f32: boolean): this {
    return f32 ? this.simd(OP.v128Load64Zero, ...Code.mem(0)).simd(OP.f64x2Promote) : this.simd(OP.v128Load, ...Code.mem(0));
  }
  /** Memory immediate: alignment hint 0 (any address is allowed), constant offset. */
  static mem(offset: number): number[] {
    return [0, ...uleb(offset)];
  }

  encode(): number[] {
    const groups: number[][] = [];
    for (const t of this.localTypes) {
      const last = groups[groups.length - 1];
      if (last && last[1] === t) last[0]++;
      else groups.push([1, t]);
    }
    const body = [...uleb(groups.length), ...groups.flatMap(([count, t]) => [...uleb(count), t]), ...this.bytes, 0x0b];
    return [...uleb(body.length), ...body];
  }
}

// Opcodes used below.
const OP = {
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  br: 0x0c,
  brIf: 0x0d,
  end: 0x0b,
  void: 0x40,
  call: 0x10,
  i32Load: 0x28,
  f32Load: 0x2a,
  f64Load: 0x2b,
  f64Store: 0x39,
  i32Eq: 0x46,
  i32Eqz: 0x45,
  i32And: 0x71,
  else: 0x05,
  i32LtU: 0x49,
  i32GeU: 0x4f,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32Mul: 0x6c,
  f64Add: 0xa0,
  f64Sub: 0xa1,
  f64Mul: 0xa2,
  f64Promote: 0xbb,
  // SIMD (after the 0xfd prefix)
  v128Load: 0x00,
  v128Load32Splat: 0x09,
  v128Load64Splat: 0x0a,
  v128Store: 0x0b,
  v128Const: 0x0c,
  v128Load64Zero: 0x5d,
  f64x2Promote: 0x5f,
  f64x2Add: 0xf0,
  f64x2Sub: 0xf1,
  f64x2Mul: 0xf2,
} as const;

/** Largest number of centre pairs one block measures at once (two points x eight centres: 16 vector sums). */
export const GROUP_PAIRS = 4;

/**
 * block_G(pa, pb, cp, d, oa, ob): squared distances of the rows at byte addresses pa and pb to G
 * centre pairs laid out as d x G two-lane vectors from cp (coordinate j of pair g at
 * cp + (j G + g) 16), stored as 2G float64 at oa and at ob.
 */
function blockFn(G: number, f32: boolean): Code {
  const c = new Code(6);
  const [pa, pb, cp, d, oa, ob] = [0, 1, 2, 3, 4, 5];
  const end = c.local(I32);
  const accA: number[] = [];
  const accB: number[] = [];
  for (let g = 0; g < G; g++) accA.push(c.local(V128));
  for (let g = 0; g < G; g++) accB.push(c.local(V128));
  const xa = c.local(V128);
  const xb = c.local(V128);
  const cv = c.local(V128);
  const t = c.local(V128);
  const size = f32 ? 4 : 8;
  // end = pa + d * size
  c.get(pa).get(d).i32(size).op(OP.i32Mul, OP.i32Add).set(end);
  for (const a of [...accA, ...accB]) c.simd(OP.v128Const, ...new Array(16).fill(0)).set(a);
  c.op(OP.loop, OP.void);
  const loadX = (p: number, into: number): void => {
    c.get(p);
    if (f32) c.simd(OP.v128Load32Splat, ...Code.mem(0)).simd(OP.f64x2Promote);
    else c.simd(OP.v128Load64Splat, ...Code.mem(0));
    c.set(into);
  };
  loadX(pa, xa);
  loadX(pb, xb);
  for (let g = 0; g < G; g++) {
    c.get(cp)
      .simd(OP.v128Load, ...Code.mem(g * 16))
      .set(cv);
    // acc += (x - c) * (x - c)
    c.get(accA[g]).get(xa).get(cv).simd(OP.f64x2Sub).tee(t).get(t).simd(OP.f64x2Mul).simd(OP.f64x2Add).set(accA[g]);
    c.get(accB[g]).get(xb).get(cv).simd(OP.f64x2Sub).tee(t).get(t).simd(OP.f64x2Mul).simd(OP.f64x2Add).set(accB[g]);
  }
  c.get(pa).i32(size).op(OP.i32Add).set(pa);
  c.get(pb).i32(size).op(OP.i32Add).set(pb);
  c.get(cp)
    .i32(G * 16)
    .op(OP.i32Add)
    .set(cp);
  c.get(pa).get(end).op(OP.i32LtU, OP.brIf, 0, OP.end);
  for (let g = 0; g < G; g++) {
    c.get(oa)
      .get(accA[g])
      .simd(OP.v128Store, ...Code.mem(g * 16));
    c.get(ob)
      .get(accB[g])
      .simd(OP.v128Store, ...Code.mem(g * 16));
  }
  return c;
}

/**
 * toCentres(data, d, idx, m, cen, kp, out): for s = 0, 2, 4 ... < m, the listed rows idx[s] and
 * idx[s + 1] (m even) against kp centre pairs in groups of up to GROUP_PAIRS (the layout of
 * WasmDistances.setCentres); out row s holds 2 kp float64.
 */
function toCentresFn(f32: boolean, blockIndex: (g: number) => number): Code {
  const c = new Code(7);
  const [data, d, idx, m, cen, kp, out] = [0, 1, 2, 3, 4, 5, 6];
  const s = c.local(I32);
  const pa = c.local(I32);
  const pb = c.local(I32);
  const cp = c.local(I32);
  const oa = c.local(I32);
  const p = c.local(I32);
  const g = c.local(I32);
  const rowBytes = c.local(I32);
  const outRow = c.local(I32);
  const size = f32 ? 4 : 8;
  c.get(d).i32(size).op(OP.i32Mul).set(rowBytes);
  c.get(kp).i32(16).op(OP.i32Mul).set(outRow);
  c.i32(0).set(s);
  c.op(OP.block, OP.void, OP.loop, OP.void);
  c.get(s).get(m).op(OP.i32GeU, OP.brIf, 1);
  // pa = data + idx[s] * rowBytes; pb likewise for idx[s + 1]
  c.get(data)
    .get(idx)
    .get(s)
    .i32(4)
    .op(OP.i32Mul, OP.i32Add, OP.i32Load, ...Code.mem(0))
    .get(rowBytes)
    .op(OP.i32Mul, OP.i32Add)
    .set(pa);
  c.get(data)
    .get(idx)
    .get(s)
    .i32(4)
    .op(OP.i32Mul, OP.i32Add, OP.i32Load, ...Code.mem(4))
    .get(rowBytes)
    .op(OP.i32Mul, OP.i32Add)
    .set(pb);
  c.get(out).get(s).get(outRow).op(OP.i32Mul, OP.i32Add).set(oa);
  c.get(cen).set(cp);
  c.i32(0).set(p);
  c.op(OP.block, OP.void, OP.loop, OP.void);
  c.get(p).get(kp).op(OP.i32GeU, OP.brIf, 1);
  // g = min(GROUP_PAIRS, kp - p)
  c.get(kp).get(p).op(OP.i32Sub).set(g);
  c.get(g).i32(GROUP_PAIRS).op(OP.i32GeU, OP.if, OP.void).i32(GROUP_PAIRS).set(g).op(OP.end);
  for (let G = 1; G <= GROUP_PAIRS; G++) {
    c.get(g).i32(G).op(OP.i32Eq, OP.if, OP.void);
    c.get(pa)
      .get(pb)
      .get(cp)
      .get(d)
      .get(oa)
      .get(oa)
      .get(outRow)
      .op(OP.i32Add)
      .op(OP.call, ...uleb(blockIndex(G)));
    c.op(OP.end);
  }
  // cp += d g 16; oa += g 16; p += g
  c.get(cp).get(d).get(g).op(OP.i32Mul).i32(16).op(OP.i32Mul, OP.i32Add).set(cp);
  c.get(oa).get(g).i32(16).op(OP.i32Mul, OP.i32Add).set(oa);
  c.get(p).get(g).op(OP.i32Add).set(p);
  c.op(OP.br, 0, OP.end, OP.end);
  c.get(s).i32(2).op(OP.i32Add).set(s);
  c.op(OP.br, 0, OP.end, OP.end);
  return c;
}

/**
 * toOwn(data, d, idx, sel, m, cen, out): out[s] = squared distance of row idx[s] to centre
 * sel[s] (rows of d float64 from cen), four listed points at a time (m a multiple of 4).
 */
function toOwnFn(f32: boolean): Code {
  const c = new Code(7);
  const [data, d, idx, sel, m, cen, out] = [0, 1, 2, 3, 4, 5, 6];
  const s = c.local(I32);
  const rowBytes = c.local(I32);
  const cenBytes = c.local(I32);
  const end = c.local(I32);
  const P = [c.local(I32), c.local(I32), c.local(I32), c.local(I32)];
  const C = [c.local(I32), c.local(I32), c.local(I32), c.local(I32)];
  const A = [c.local(F64), c.local(F64), c.local(F64), c.local(F64)];
  const t = c.local(F64);
  const size = f32 ? 4 : 8;
  c.get(d).i32(size).op(OP.i32Mul).set(rowBytes);
  c.get(d).i32(8).op(OP.i32Mul).set(cenBytes);
  c.i32(0).set(s);
  c.op(OP.block, OP.void, OP.loop, OP.void);
  c.get(s).get(m).op(OP.i32GeU, OP.brIf, 1);
  for (let q = 0; q < 4; q++) {
    c.get(data)
      .get(idx)
      .get(s)
      .i32(4)
      .op(OP.i32Mul, OP.i32Add, OP.i32Load, ...Code.mem(4 * q))
      .get(rowBytes)
      .op(OP.i32Mul, OP.i32Add)
      .set(P[q]);
    c.get(cen)
      .get(sel)
      .get(s)
      .i32(4)
      .op(OP.i32Mul, OP.i32Add, OP.i32Load, ...Code.mem(4 * q))
      .get(cenBytes)
      .op(OP.i32Mul, OP.i32Add)
      .set(C[q]);
    c.op(0x44, 0, 0, 0, 0, 0, 0, 0, 0).set(A[q]);
  }
  c.get(P[0]).get(rowBytes).op(OP.i32Add).set(end);
  c.op(OP.loop, OP.void);
  for (let q = 0; q < 4; q++) {
    c.get(A[q]).get(P[q]);
    c.loadValue(f32);
    c.get(C[q])
      .op(OP.f64Load, ...Code.mem(0), OP.f64Sub)
      .tee(t)
      .get(t)
      .op(OP.f64Mul, OP.f64Add)
      .set(A[q]);
  }
  for (let q = 0; q < 4; q++) {
    c.get(P[q]).i32(size).op(OP.i32Add).set(P[q]);
    c.get(C[q]).i32(8).op(OP.i32Add).set(C[q]);
  }
  c.get(P[0]).get(end).op(OP.i32LtU, OP.brIf, 0, OP.end);
  for (let q = 0; q < 4; q++) {
    c.get(out)
      .get(s)
      .i32(8)
      .op(OP.i32Mul, OP.i32Add)
      .get(A[q])
      .op(OP.f64Store, ...Code.mem(8 * q));
  }
  c.get(s).i32(4).op(OP.i32Add).set(s);
  c.op(OP.br, 0, OP.end, OP.end);
  return c;
}

/**
 * colStats(data, n, d, mean, out): for every column j, in row order, out[j] += x[i][j] (mean = 0,
 * the first pass) or out[j] += (x[i][j] - mean[j])^2 (mean != 0: the byte address of d float64).
 * Lanes run across two columns, so each column's sum is formed row by row as in
 * meanFeatureVariance (kmeans.ts), bit for bit. out must be zeroed by the caller.
 */
function colStatsFn(f32: boolean): Code {
  const c = new Code(5);
  const [data, n, d, mean, out] = [0, 1, 2, 3, 4];
  const p = c.local(I32);
  const q = c.local(I32);
  const o = c.local(I32);
  const mp = c.local(I32);
  const rowEnd = c.local(I32);
  const pairEnd = c.local(I32);
  const end = c.local(I32);
  const x = c.local(V128);
  const xs = c.local(F64);
  const size = f32 ? 4 : 8;
  c.get(data).set(p);
  // end = data + n d size; pairs cover columns 0 .. (d & ~1)
  c.get(data).get(n).get(d).op(OP.i32Mul).i32(size).op(OP.i32Mul, OP.i32Add).set(end);
  c.op(OP.block, OP.void, OP.loop, OP.void);
  c.get(p).get(end).op(OP.i32GeU, OP.brIf, 1);
  c.get(p).set(q);
  c.get(out).set(o);
  c.get(mean).set(mp);
  c.get(p).get(d).i32(size).op(OP.i32Mul, OP.i32Add).set(rowEnd);
  c.get(p).get(d).i32(-2).op(OP.i32And).i32(size).op(OP.i32Mul, OP.i32Add).set(pairEnd);
  // pairs of columns
  c.op(OP.block, OP.void, OP.loop, OP.void);
  c.get(q).get(pairEnd).op(OP.i32GeU, OP.brIf, 1);
  c.get(q);
  c.loadPair(f32);
  c.set(x);
  c.get(o); // address for the store
  c.get(o).simd(OP.v128Load, ...Code.mem(0));
  c.get(mean).op(OP.i32Eqz, OP.if, V128);
  c.get(x);
  c.op(OP.else);
  c.get(x)
    .get(mp)
    .simd(OP.v128Load, ...Code.mem(0))
    .simd(OP.f64x2Sub)
    .tee(x)
    .get(x)
    .simd(OP.f64x2Mul);
  c.op(OP.end);
  c.simd(OP.f64x2Add).simd(OP.v128Store, ...Code.mem(0));
  c.get(q)
    .i32(2 * size)
    .op(OP.i32Add)
    .set(q);
  c.get(o).i32(16).op(OP.i32Add).set(o);
  c.get(mp).i32(16).op(OP.i32Add).set(mp);
  c.op(OP.br, 0, OP.end, OP.end);
  // the last column of an odd d
  c.get(q).get(rowEnd).op(OP.i32LtU, OP.if, OP.void);
  c.get(q);
  c.loadValue(f32);
  c.set(xs);
  c.get(o); // address for the store
  c.get(o).op(OP.f64Load, ...Code.mem(0));
  c.get(mean).op(OP.i32Eqz, OP.if, F64);
  c.get(xs);
  c.op(OP.else);
  c.get(xs)
    .get(mp)
    .op(OP.f64Load, ...Code.mem(0), OP.f64Sub)
    .tee(xs)
    .get(xs)
    .op(OP.f64Mul);
  c.op(OP.end);
  c.op(OP.f64Add, OP.f64Store, ...Code.mem(0));
  c.op(OP.end);
  c.get(rowEnd).set(p);
  c.op(OP.br, 0, OP.end, OP.end);
  return c;
}

/**
 * clusterSums(data, n, d, labels, sums): sums[labels[i]][j] += x[i][j] for every point i in order
 * (sums: k x d float64, zeroed by the caller). Lanes run across two columns, so every (cluster,
 * column) sum is formed point by point as in lloyd.ts, bit for bit.
 */
function clusterSumsFn(f32: boolean): Code {
  const c = new Code(5);
  const [data, n, d, labels, sums] = [0, 1, 2, 3, 4];
  const p = c.local(I32);
  const q = c.local(I32);
  const o = c.local(I32);
  const lp = c.local(I32);
  const lend = c.local(I32);
  const rowEnd = c.local(I32);
  const pairEnd = c.local(I32);
  const size = f32 ? 4 : 8;
  c.get(data).set(p);
  c.get(labels).set(lp);
  c.get(labels).get(n).i32(4).op(OP.i32Mul, OP.i32Add).set(lend);
  c.op(OP.block, OP.void, OP.loop, OP.void);
  c.get(lp).get(lend).op(OP.i32GeU, OP.brIf, 1);
  c.get(p).set(q);
  // o = sums + labels[i] d 8
  c.get(sums)
    .get(lp)
    .op(OP.i32Load, ...Code.mem(0))
    .get(d)
    .op(OP.i32Mul)
    .i32(8)
    .op(OP.i32Mul, OP.i32Add)
    .set(o);
  c.get(p).get(d).i32(size).op(OP.i32Mul, OP.i32Add).set(rowEnd);
  c.get(p).get(d).i32(-2).op(OP.i32And).i32(size).op(OP.i32Mul, OP.i32Add).set(pairEnd);
  c.op(OP.block, OP.void, OP.loop, OP.void);
  c.get(q).get(pairEnd).op(OP.i32GeU, OP.brIf, 1);
  c.get(o)
    .get(o)
    .simd(OP.v128Load, ...Code.mem(0))
    .get(q);
  c.loadPair(f32);
  c.simd(OP.f64x2Add).simd(OP.v128Store, ...Code.mem(0));
  c.get(q)
    .i32(2 * size)
    .op(OP.i32Add)
    .set(q);
  c.get(o).i32(16).op(OP.i32Add).set(o);
  c.op(OP.br, 0, OP.end, OP.end);
  c.get(q).get(rowEnd).op(OP.i32LtU, OP.if, OP.void);
  c.get(o)
    .get(o)
    .op(OP.f64Load, ...Code.mem(0))
    .get(q);
  c.loadValue(f32);
  c.op(OP.f64Add, OP.f64Store, ...Code.mem(0));
  c.op(OP.end);
  c.get(rowEnd).set(p);
  c.get(lp).i32(4).op(OP.i32Add).set(lp);
  c.op(OP.br, 0, OP.end, OP.end);
  return c;
}

/**
 * gatherRows(data, rowBytes, idx, m, dst): copies rows idx[0..m) of data to dst, one after the
 * other (bulk memory copy).
 */
function gatherRowsFn(): Code {
  const c = new Code(5);
  const [data, rowBytes, idx, m, dst] = [0, 1, 2, 3, 4];
  const end = c.local(I32);
  c.get(idx).get(m).i32(4).op(OP.i32Mul, OP.i32Add).set(end);
  c.op(OP.block, OP.void, OP.loop, OP.void);
  c.get(idx).get(end).op(OP.i32GeU, OP.brIf, 1);
  c.get(dst)
    .get(data)
    .get(idx)
    .op(OP.i32Load, ...Code.mem(0))
    .get(rowBytes)
    .op(OP.i32Mul, OP.i32Add)
    .get(rowBytes);
  c.op(0xfc, ...uleb(10), 0, 0); // memory.copy
  c.get(dst).get(rowBytes).op(OP.i32Add).set(dst);
  c.get(idx).i32(4).op(OP.i32Add).set(idx);
  c.op(OP.br, 0, OP.end, OP.end);
  return c;
}

/** The module's bytes: memory imported as env.mem; exports toCentres32/64 and toOwn32/64. */
export function moduleBytes(): Uint8Array<ArrayBuffer> {
  const blockType = [0x60, ...vec(new Array(6).fill([I32])), 0]; // 6 x i32 -> ()
  const sevenType = [0x60, ...vec(new Array(7).fill([I32])), 0]; // 7 x i32 -> ()
  const fiveType = [0x60, ...vec(new Array(5).fill([I32])), 0]; // 5 x i32 -> ()
  const funcs: { type: number; code: Code; name?: string }[] = [];
  for (const f32 of [true, false]) {
    const base = funcs.length;
    for (let G = 1; G <= GROUP_PAIRS; G++) funcs.push({ type: 0, code: blockFn(G, f32) });
    funcs.push({ type: 1, code: toCentresFn(f32, (G) => base + G - 1), name: f32 ? 'toCentres32' : 'toCentres64' });
    funcs.push({ type: 1, code: toOwnFn(f32), name: f32 ? 'toOwn32' : 'toOwn64' });
    funcs.push({ type: 2, code: colStatsFn(f32), name: f32 ? 'colStats32' : 'colStats64' });
    funcs.push({ type: 2, code: clusterSumsFn(f32), name: f32 ? 'clusterSums32' : 'clusterSums64' });
  }
  funcs.push({ type: 2, code: gatherRowsFn(), name: 'gatherRows' });
  const bytes = [
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, vec([blockType, sevenType, fiveType])),
    ...section(2, vec([[...str('env'), ...str('mem'), 0x02, 0x00, 0x01]])),
    ...section(3, vec(funcs.map((f) => uleb(f.type)))),
    ...section(7, vec(funcs.flatMap((f, i) => (f.name ? [[...str(f.name), 0x00, ...uleb(i)]] : [])))),
    ...section(10, vec(funcs.map((f) => f.code.encode()))),
  ];
  return Uint8Array.from(bytes);
}

// ---- the JavaScript side ------------------------------------------------------------------------

type Kernel = (...args: number[]) => void;

let compiled: WebAssembly.Module | null | undefined;

/** The compiled module, or null where WebAssembly SIMD is not available (then callers use JavaScript). */
function wasmModule(): WebAssembly.Module | null {
  if (compiled !== undefined) return compiled;
  compiled = null;
  try {
    if (typeof WebAssembly === 'object' && !disabled) {
      const bytes = moduleBytes();
      if (WebAssembly.validate(bytes)) compiled = new WebAssembly.Module(bytes);
    }
  } catch {
    compiled = null;
  }
  return compiled;
}

let disabled = false;

/** Turns the WebAssembly path off (true) or back on: for tests and benchmarks that compare the two paths. */
export function setWasmDistancesDisabled(off: boolean): void {
  disabled = off;
  compiled = undefined;
}

/** Points per kernel call: large enough to amortise the call, small enough to keep its output in cache. */
export const WASM_BATCH = 512;

/** Above this many bytes of data the JavaScript kernels are used (the copy would be a second copy of a large matrix). */
export const WASM_MAX_DATA_BYTES = 1 << 30;

/**
 * Squared distances of listed points to centres, in batches of up to WASM_BATCH points: the
 * WebAssembly kernels (WasmDistances) or their JavaScript twin (JsDistances), which give the same
 * values bit for bit. Fill idx (and sel) for m points, call toCentres or toOwn, read out.
 */
export interface DistanceBatches {
  /** Row indices of the listed points (fill idx[0..m) before a call). */
  readonly idx: Int32Array;
  /** toOwn: which of the own centres each listed point is measured against. */
  readonly sel: Int32Array;
  /** Output: toCentres writes row s at out[s * stride .. s * stride + k); toOwn writes out[s]. */
  readonly out: Float64Array;
  /** Float64s per output row of toCentres. */
  readonly stride: number;
  readonly wasm: boolean;
  /** The centres toCentres measures against: k rows of d from centres, starting at row `first`. */
  setCentres(centres: Float64Array, k: number, first?: number): void;
  /** out[s * stride + c] = squared distance of point idx[s] to centre c of setCentres, for s < m <= WASM_BATCH. */
  toCentres(m: number): void;
  /** Own centre `row` (toOwn's sel value) := row c of centres. */
  setOwnCentre(row: number, centres: Float64Array, c: number): void;
  /** out[s] = squared distance of point idx[s] to own centre sel[s], for s < m <= WASM_BATCH. */
  toOwn(m: number): void;
  /** Done with it: its memory may serve the next instance (optional to call; not to be used afterwards). */
  release(): void;
  /** Rows idx may name: the data's n, then room for copies (copyRows). */
  readonly rowCapacity: number;
  /** Copies data rows rows[0..count) to rows toRow, toRow + 1 ... (at or above n, below rowCapacity). */
  copyRows(rows: Int32Array, count: number, toRow: number): void;
  /** sums (k x d) := the coordinate sums of the points of each cluster, added in point order. */
  clusterSums(labels: Int32Array, k: number, sums: Float64Array): void;
}

/** At most this much WebAssembly memory is kept for reuse between k-means calls. */
export const POOLED_MEMORY_BYTES = 128 << 20;

/** One memory kept from the last released instance (per thread): never shared by two live instances. */
let pooled: WebAssembly.Memory | null = null;

function takeMemory(pages: number): WebAssembly.Memory {
  const m = pooled;
  pooled = null;
  if (m) {
    const have = m.buffer.byteLength / 65536;
    if (have >= pages) return m;
    try {
      m.grow(pages - have);
      return m;
    } catch {
      // fall through to a fresh one
    }
  }
  return new WebAssembly.Memory({ initial: pages });
}

function giveMemory(m: WebAssembly.Memory): void {
  if (m.buffer.byteLength <= POOLED_MEMORY_BYTES && (!pooled || pooled.buffer.byteLength < m.buffer.byteLength)) pooled = m;
}

/**
 * One data matrix in a WebAssembly instance's memory, with the buffers its kernels read and write:
 * idx (listed point indices), sel (a centre per listed point), out (distances), each for up to
 * WASM_BATCH points per call. Views stay valid: the memory never grows after creation.
 */
export class WasmDistances implements DistanceBatches {
  readonly wasm = true;
  private memory: WebAssembly.Memory | null;
  /** Row indices of the listed points (fill idx[0..m) before a call). */
  readonly idx: Int32Array;
  /** toOwn: centre index of each listed point. */
  readonly sel: Int32Array;
  /** Output: toCentres writes row s at out[s * stride .. s * stride + k); toOwn writes out[s]. */
  readonly out: Float64Array;
  /** Float64s per output row of toCentres (the centres of the last setCentres, rounded up to even). */
  stride = 0;
  private pairs = 0;
  private readonly pairView: Float64Array;
  private readonly ownView: Float64Array;
  private readonly toCentresK: Kernel;
  private readonly toOwnK: Kernel;
  private readonly idxAt: number;
  private readonly selAt: number;
  private readonly outAt: number;
  private readonly pairAt: number;
  private readonly ownAt: number;
  private readonly statAt: number;
  private readonly labelsAt: number;
  private readonly sumsAt: number;
  private readonly clusterSumsK: Kernel;
  private readonly gatherRowsK: Kernel;
  private readonly n: number;
  private readonly colStatsK: Kernel;
  private readonly statView: Float64Array;

  readonly rowCapacity: number;
  private readonly rowsView: Float32Array | Float64Array;

  private constructor(
    module: WebAssembly.Module,
    data: Matrix,
    readonly d: number,
    readonly maxCentres: number,
    extraRows: number,
  ) {
    const f32 = data instanceof Float32Array;
    const n = data.length / d;
    this.n = n;
    const values = data.length + extraRows * d;
    this.rowCapacity = values / d;
    const dataBytes = values * (f32 ? 4 : 8);
    const kPad = maxCentres + (maxCentres & 1);
    const align = (x: number): number => (x + 15) & ~15;
    this.idxAt = align(dataBytes);
    this.selAt = align(this.idxAt + (WASM_BATCH + 4) * 4);
    this.outAt = align(this.selAt + (WASM_BATCH + 4) * 4);
    this.pairAt = align(this.outAt + (WASM_BATCH + 4) * Math.max(kPad, 1) * 8);
    this.ownAt = align(this.pairAt + kPad * d * 8);
    this.statAt = align(this.ownAt + maxCentres * d * 8);
    this.labelsAt = align(this.statAt + 2 * d * 8);
    this.sumsAt = align(this.labelsAt + n * 4);
    const total = this.sumsAt + maxCentres * d * 8;
    const memory = takeMemory(Math.ceil(total / 65536));
    this.memory = memory;
    const instance = new WebAssembly.Instance(module, { env: { mem: memory } });
    const buf = memory.buffer;
    this.rowsView = f32 ? new Float32Array(buf, 0, values) : new Float64Array(buf, 0, values);
    this.rowsView.set(data);
    this.idx = new Int32Array(buf, this.idxAt, WASM_BATCH + 4);
    this.sel = new Int32Array(buf, this.selAt, WASM_BATCH + 4);
    this.out = new Float64Array(buf, this.outAt, (WASM_BATCH + 4) * Math.max(kPad, 1));
    this.pairView = new Float64Array(buf, this.pairAt, kPad * d);
    this.ownView = new Float64Array(buf, this.ownAt, maxCentres * d);
    const ex = instance.exports as Record<string, Kernel>;
    this.toCentresK = f32 ? ex.toCentres32 : ex.toCentres64;
    this.toOwnK = f32 ? ex.toOwn32 : ex.toOwn64;
    this.colStatsK = f32 ? ex.colStats32 : ex.colStats64;
    this.statView = new Float64Array(buf, this.statAt, 2 * d);
    this.clusterSumsK = f32 ? ex.clusterSums32 : ex.clusterSums64;
    this.gatherRowsK = ex.gatherRows;
    this.size = f32 ? 4 : 8;
  }

  private readonly size: number;

  clusterSums(labels: Int32Array, k: number, sums: Float64Array): void {
    const { n, d } = this;
    if (k > this.maxCentres) throw new RangeError(`WasmDistances: ${k} clusters, room for ${this.maxCentres}`);
    const buf = (this.memory as WebAssembly.Memory).buffer;
    new Int32Array(buf, this.labelsAt, n).set(labels.subarray(0, n));
    const out = new Float64Array(buf, this.sumsAt, k * d);
    out.fill(0);
    this.clusterSumsK(0, n, d, this.labelsAt, this.sumsAt);
    sums.set(out);
  }

  /**
   * meanFeatureVariance (kmeans.ts) of the first n rows, bit for bit: per column, the sum in row
   * order, the mean, the squared deviations in row order; then their mean over columns.
   */
  meanFeatureVariance(n: number): number {
    const { d, statView } = this;
    const out = statView.subarray(0, d);
    const mean = statView.subarray(d, 2 * d);
    out.fill(0);
    this.colStatsK(0, n, d, 0, this.statAt);
    for (let j = 0; j < d; j++) mean[j] = out[j] / n;
    out.fill(0);
    this.colStatsK(0, n, d, this.statAt + d * 8, this.statAt);
    let total = 0;
    for (let j = 0; j < d; j++) total += out[j] / n;
    return total / d;
  }

  /**
   * Hands the instance's memory back for the next instance to reuse (a fresh memory costs a page
   * fault per 4 KiB on first touch: about as much as a pass over the data). The instance must not
   * be used afterwards.
   */
  release(): void {
    if (this.memory) giveMemory(this.memory);
    this.memory = null;
  }

  /**
   * A kernel for data (n x d) and up to maxCentres centres per call, or null when WebAssembly SIMD
   * is unavailable or the data too large; the caller then uses the JavaScript kernels, which give
   * the same values.
   */
  static create(data: Matrix, n: number, d: number, maxCentres: number, extraRows = 0): WasmDistances | null {
    if (n < 2 || d < 1 || maxCentres < 1) return null;
    const bytes = (data.length + extraRows * d) * (data instanceof Float32Array ? 4 : 8);
    if (bytes > WASM_MAX_DATA_BYTES) return null;
    const module = wasmModule();
    if (!module) return null;
    try {
      return new WasmDistances(module, data, d, maxCentres, extraRows);
    } catch {
      return null; // e.g. memory could not be reserved
    }
  }

  copyRows(rows: Int32Array, count: number, toRow: number): void {
    const { d, size } = this;
    if (toRow + count > this.rowCapacity) throw new RangeError(`WasmDistances: no room for ${count} rows at row ${toRow}`);
    for (let q0 = 0; q0 < count; q0 += WASM_BATCH) {
      const m = Math.min(WASM_BATCH, count - q0);
      this.idx.set(rows.subarray(q0, q0 + m));
      this.gatherRowsK(0, d * size, this.idxAt, m, (toRow + q0) * d * size);
    }
  }

  /** The centres toCentres measures against: k rows of d from centres at row offset `first`. */
  setCentres(centres: Float64Array, k: number, first = 0): void {
    if (k > this.maxCentres) throw new RangeError(`WasmDistances: ${k} centres, room for ${this.maxCentres}`);
    const { d, pairView } = this;
    const pairs = (k + 1) >> 1;
    // Groups of up to GROUP_PAIRS pairs; in a group of G, coordinate j of pair g is at (j G + g) x 2.
    let at = 0;
    for (let p = 0; p < pairs; p += GROUP_PAIRS) {
      const G = Math.min(GROUP_PAIRS, pairs - p);
      for (let j = 0; j < d; j++) {
        for (let g = 0; g < G; g++) {
          const c0 = 2 * (p + g);
          const c1 = c0 + 1 < k ? c0 + 1 : c0; // an odd k repeats its last centre
          pairView[at++] = centres[(first + c0) * d + j];
          pairView[at++] = centres[(first + c1) * d + j];
        }
      }
    }
    this.pairs = pairs;
    this.stride = 2 * pairs;
  }

  /** out[s * stride + c] = squared distance of point idx[s] to centre c of setCentres, for s < m <= WASM_BATCH. */
  toCentres(m: number): void {
    if (m <= 0) return;
    if (m & 1) this.idx[m] = this.idx[m - 1];
    this.toCentresK(0, this.d, this.idxAt, m + (m & 1), this.pairAt, this.pairs, this.outAt);
  }

  setOwnCentre(row: number, centres: Float64Array, c: number): void {
    if (row >= this.maxCentres) throw new RangeError(`WasmDistances: own centre ${row}, room for ${this.maxCentres}`);
    const { d } = this;
    this.ownView.set(centres.subarray(c * d, (c + 1) * d), row * d);
  }

  /** out[s] = squared distance of point idx[s] to own centre sel[s], for s < m <= WASM_BATCH. */
  toOwn(m: number): void {
    if (m <= 0) return;
    const padded = (m + 3) & ~3;
    for (let s = m; s < padded; s++) {
      this.idx[s] = this.idx[m - 1];
      this.sel[s] = this.sel[m - 1];
    }
    this.toOwnK(0, this.d, this.idxAt, this.selAt, padded, this.ownAt, this.outAt);
  }
}

/**
 * Below this many coordinates (n x d) the JavaScript kernels are used: the copy into WebAssembly
 * memory and the instance cost more than they save.
 */
export const WASM_MIN_VALUES = 1 << 15;

/** The WebAssembly kernels for data large enough to gain from them (and where they run), else the JavaScript twin. */
export function distanceBatches(data: Matrix, n: number, d: number, maxCentres: number, extraRows = 0): DistanceBatches {
  return (n * d >= WASM_MIN_VALUES ? WasmDistances.create(data, n, d, maxCentres, extraRows) : null) ?? new JsDistances(data, d, maxCentres);
}

/** DistanceBatches in JavaScript: the reference the WebAssembly kernels are tested against, and their stand-in. */
export class JsDistances implements DistanceBatches {
  readonly wasm = false;
  /** No room for copies: callers read the rows in place. */
  readonly rowCapacity: number;
  readonly idx = new Int32Array(WASM_BATCH + 4);
  readonly sel = new Int32Array(WASM_BATCH + 4);
  readonly out: Float64Array;
  stride = 0;
  private k = 0;
  private centres: Float64Array;
  private readonly own: Float64Array;
  private readonly a: Float64Array;
  private readonly b: Float64Array;

  constructor(
    private readonly data: Matrix,
    private readonly d: number,
    private readonly maxCentres: number,
  ) {
    const kPad = maxCentres + (maxCentres & 1);
    this.rowCapacity = data.length / d;
    this.out = new Float64Array((WASM_BATCH + 4) * Math.max(kPad, 1));
    this.centres = new Float64Array(maxCentres * d);
    this.own = new Float64Array(maxCentres * d);
    this.a = new Float64Array(maxCentres);
    this.b = new Float64Array(maxCentres);
  }

  setCentres(centres: Float64Array, k: number, first = 0): void {
    if (k > this.maxCentres) throw new RangeError(`JsDistances: ${k} centres, room for ${this.maxCentres}`);
    const { d } = this;
    this.centres.set(centres.subarray(first * d, (first + k) * d));
    this.k = k;
    this.stride = k + (k & 1);
  }

  toCentres(m: number): void {
    const { data, d, k, centres, idx, out, stride, a, b } = this;
    let s = 0;
    for (; s + 1 < m; s += 2) {
      distancesFromTwoPoints(data, idx[s] * d, idx[s + 1] * d, d, centres, k, a, b);
      for (let c = 0; c < k; c++) {
        out[s * stride + c] = a[c];
        out[(s + 1) * stride + c] = b[c];
      }
    }
    if (s < m) {
      distancesToCentres(data, idx[s] * d, d, centres, k, a);
      for (let c = 0; c < k; c++) out[s * stride + c] = a[c];
    }
  }

  setOwnCentre(row: number, centres: Float64Array, c: number): void {
    if (row >= this.maxCentres) throw new RangeError(`JsDistances: own centre ${row}, room for ${this.maxCentres}`);
    const { d } = this;
    this.own.set(centres.subarray(c * d, (c + 1) * d), row * d);
  }

  toOwn(m: number): void {
    const { data, d, own, idx, sel, out } = this;
    for (let s = 0; s < m; s++) out[s] = squaredDistance(data, idx[s] * d, own, sel[s] * d, d);
  }

  release(): void {}

  clusterSums(labels: Int32Array, k: number, sums: Float64Array): void {
    const { data, d } = this;
    const n = data.length / d;
    sums.fill(0, 0, k * d);
    for (let i = 0; i < n; i++) addRowTo(data, i * d, sums, labels[i] * d, d);
  }

  copyRows(_rows: Int32Array, count: number, toRow: number): void {
    if (count > 0) throw new RangeError(`JsDistances: no room for rows at row ${toRow}`);
  }
}
