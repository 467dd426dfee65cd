import { afterEach, describe, expect, it } from 'vitest';
import { makeBlobs } from './blobs';
import { kmeans, meanFeatureVariance } from './kmeans';
import { squaredDistance } from '../numeric/distance';
import { Rng } from '../numeric/random';
import { kmeansPlusPlus, kmeansPlusPlusMany, type Seeding } from './seeding';
import { JsDistances, moduleBytes, setWasmDistancesDisabled, WASM_BATCH, WasmDistances } from './wasmDistances';

const bits = (a: ArrayLike<number>): number[] => Array.from(a, (v) => (Object.is(v, -0) ? -0 : v));

function expectSameSeeding(a: Seeding, b: Seeding): void {
  expect(bits(a.centres)).toEqual(bits(b.centres));
  expect(bits(a.nearest)).toEqual(bits(b.nearest));
  expect(bits(a.nearestSq)).toEqual(bits(b.nearestSq));
  expect(bits(a.secondLower)).toEqual(bits(b.secondLower));
}

afterEach(() => setWasmDistancesDisabled(false));

describe('the WebAssembly distance kernels', () => {
  it('assemble into a valid module with SIMD', () => {
    expect(WebAssembly.validate(moduleBytes())).toBe(true);
  });

  for (const float64 of [false, true]) {
    it(`give squaredDistance's values bit for bit (${float64 ? 'float64' : 'float32'} data, any k, odd m and d)`, () => {
      const n = 700;
      const d = 13;
      const { data } = makeBlobs(n, d, 6, { std: 3, seed: 7, float64 });
      const rng = new Rng(3);
      for (const k of [1, 2, 3, 4, 7, 8, 9, 10, 17]) {
        const centres = Float64Array.from({ length: (k + 2) * d }, () => rng.nextGaussian() * 5);
        const w = WasmDistances.create(data, n, d, k) as WasmDistances;
        expect(w).not.toBeNull();
        const js = new JsDistances(data, d, k);
        for (const b of [w, js]) {
          b.setCentres(centres, k, 2); // rows 2 .. k+1
          for (let c = 0; c < k; c++) b.setOwnCentre(c, centres, c + 2);
        }
        const m = WASM_BATCH - 1;
        for (let s = 0; s < m; s++) {
          const i = (s * 389 + k) % n;
          for (const b of [w, js]) {
            b.idx[s] = i;
            b.sel[s] = (s * 7) % k;
          }
        }
        w.toCentres(m);
        js.toCentres(m);
        for (let s = 0; s < m; s++) {
          for (let c = 0; c < k; c++) {
            const want = squaredDistance(data, w.idx[s] * d, centres, (c + 2) * d, d);
            expect(w.out[s * w.stride + c]).toBe(want);
            expect(js.out[s * js.stride + c]).toBe(want);
          }
        }
        w.toOwn(m);
        js.toOwn(m);
        for (let s = 0; s < m; s++) {
          const want = squaredDistance(data, w.idx[s] * d, centres, (w.sel[s] + 2) * d, d);
          expect(w.out[s]).toBe(want);
          expect(js.out[s]).toBe(want);
        }
        w.release();
      }
    });
  }

  it("give meanFeatureVariance's value bit for bit (odd and even d, float32 and float64)", () => {
    for (const [n, d, float64] of [
      [1000, 7, false],
      [900, 64, false],
      [800, 13, true],
      [500, 1, false],
    ] as const) {
      const { data } = makeBlobs(n, d, 5, { std: 3, seed: 8, float64, box: 1000 });
      const w = WasmDistances.create(data, n, d, 2, 10) as WasmDistances;
      expect(w.meanFeatureVariance(n)).toBe(meanFeatureVariance(data, n, d));
      w.release();
    }
  });

  it('give the JavaScript cluster sums bit for bit, and copy rows where toCentres reads them', () => {
    for (const [d, float64] of [
      [9, false],
      [16, true],
    ] as const) {
      const n = 1500;
      const k = 6;
      const { data } = makeBlobs(n, d, 4, { std: 2, seed: 12, float64, box: 300 });
      const labels = Int32Array.from({ length: n }, (_, i) => (i * 7) % k);
      const w = WasmDistances.create(data, n, d, k, 40) as WasmDistances;
      const js = new JsDistances(data, d, k);
      const a = new Float64Array(k * d);
      const b = new Float64Array(k * d);
      w.clusterSums(labels, k, a);
      js.clusterSums(labels, k, b);
      expect(bits(a)).toEqual(bits(b));
      const rows = Int32Array.from({ length: 40 }, (_, q) => (q * 37) % n);
      w.copyRows(rows, rows.length, n);
      const centres = Float64Array.from({ length: 2 * d }, (_, j) => j - d);
      w.setCentres(centres, 2);
      for (let q = 0; q < rows.length; q++) w.idx[q] = n + q;
      w.toCentres(rows.length);
      for (let q = 0; q < rows.length; q++) {
        for (let c = 0; c < 2; c++) expect(w.out[q * w.stride + c]).toBe(squaredDistance(data, rows[q] * d, centres, c * d, d));
      }
      w.release();
    }
  });

  it('hand a released memory to the next instance only, never to a live one', () => {
    const n = 300;
    const d = 8;
    const a = makeBlobs(n, d, 3, { seed: 1 }).data;
    const b = makeBlobs(n, d, 3, { seed: 2 }).data;
    const centre = new Float64Array(d);
    const wa = WasmDistances.create(a, n, d, 1) as WasmDistances;
    const wb = WasmDistances.create(b, n, d, 1) as WasmDistances;
    wa.release();
    const wc = WasmDistances.create(a, n, d, 1) as WasmDistances; // may reuse wa's memory
    for (const w of [wb, wc]) {
      w.setOwnCentre(0, centre, 0);
      for (let s = 0; s < n; s++) {
        w.idx[s] = s;
        w.sel[s] = 0;
      }
    }
    const m = Math.min(n, WASM_BATCH);
    wb.toOwn(m);
    for (let s = 0; s < m; s++) expect(wb.out[s]).toBe(squaredDistance(b, s * d, centre, 0, d));
    wc.toOwn(m);
    for (let s = 0; s < m; s++) expect(wc.out[s]).toBe(squaredDistance(a, s * d, centre, 0, d));
  });
});

describe('k-means++ seedings side by side', () => {
  it('equal the seedings drawn one at a time, with either kernel, with and without the judging sample', () => {
    const n = 3000;
    const d = 16;
    const { data } = makeBlobs(n, d, 8, { std: 2, seed: 11 });
    for (const sample of [100, 16_384]) {
      const one = [5, 6, 7].map((s) => kmeansPlusPlus(data, n, d, 9, new Rng(s), undefined, sample, new JsDistances(data, d, 9)));
      const many = kmeansPlusPlusMany(
        data,
        n,
        d,
        9,
        [5, 6, 7].map((s) => new Rng(s)),
        undefined,
        sample,
      );
      const manyJs = kmeansPlusPlusMany(
        data,
        n,
        d,
        9,
        [5, 6, 7].map((s) => new Rng(s)),
        undefined,
        sample,
        new JsDistances(data, d, 9),
      );
      for (let r = 0; r < 3; r++) {
        expectSameSeeding(many[r], one[r]);
        expectSameSeeding(manyJs[r], one[r]);
      }
    }
  });

  it('fill up at random, each as alone, when the data has fewer distinct points than k', () => {
    const d = 4;
    const n = 4000;
    const data = new Float32Array(n * d);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) data[i * d + j] = (i % 3) * 10 + j;
    const one = [1, 2].map((s) => kmeansPlusPlus(data, n, d, 5, new Rng(s), undefined, 500, new JsDistances(data, d, 5)));
    const many = kmeansPlusPlusMany(
      data,
      n,
      d,
      5,
      [1, 2].map((s) => new Rng(s)),
      undefined,
      500,
    );
    expectSameSeeding(many[0], one[0]);
    expectSameSeeding(many[1], one[1]);
  });
});

describe('kmeans on the WebAssembly kernels', () => {
  it('gives exactly the result of the JavaScript kernels (labels, centres, inertias, iterations)', () => {
    const n = 40_000;
    const d = 12;
    const { data } = makeBlobs(n, d, 7, { std: 6, seed: 4 });
    const run = () => kmeans(data, n, d, { k: 7, restarts: 3, seed: 9 });
    const withWasm = run();
    setWasmDistancesDisabled(true);
    const withJs = run();
    expect(bits(withWasm.labels)).toEqual(bits(withJs.labels));
    expect(bits(withWasm.centres)).toEqual(bits(withJs.centres));
    expect(withWasm.restartInertias).toEqual(withJs.restartInertias);
    expect(withWasm.restartIterations).toEqual(withJs.restartIterations);
    expect(withWasm.restartAbandoned).toEqual(withJs.restartAbandoned);
  });
});
