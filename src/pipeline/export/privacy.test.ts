import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeStream } from '../analyze';
import { Rng } from '../numeric/random';
import { profileClusters, type ClusterProfiles } from '../profile';
import { sequenceLabel } from '../sequences';
import { checkEpsilon, cryptoUniform, laplace, noisyProfiles, pseudonymKey, pseudonymLookup, pseudonymsOf, PSEUDONYM_SECRET_BYTES } from './privacy';
import { assignmentsCsv, exportText, profilesCsv, profilesJson } from './tables';

const fixedSecret = (fill: number) => new Uint8Array(PSEUDONYM_SECRET_BYTES).fill(fill);

describe('pseudonyms', () => {
  it('are deterministic for a key, differ between keys, and look like u_<16 hex>', async () => {
    const ids = ['17850', '13047', 'alice@example.com', ''];
    const a1 = await pseudonymsOf(ids, await pseudonymKey(fixedSecret(1)));
    const a2 = await pseudonymsOf([...ids].reverse(), await pseudonymKey(fixedSecret(1)));
    const b = await pseudonymsOf(ids, await pseudonymKey(fixedSecret(2)));
    for (const id of ids) {
      expect(a1.get(id)).toMatch(/^u_[0-9a-f]{16}$/);
      expect(a2.get(id)).toBe(a1.get(id));
      expect(b.get(id)).not.toBe(a1.get(id));
    }
  });

  it('match HMAC-SHA256 of the UTF-8 id', async () => {
    // The same HMAC computed directly, truncated to 8 bytes by hand.
    const key = await pseudonymKey(new TextEncoder().encode('Jefe'.repeat(4)));
    const raw = await crypto.subtle.importKey('raw', new TextEncoder().encode('Jefe'.repeat(4)), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    const sig = new Uint8Array(await crypto.subtle.sign('HMAC', raw, new TextEncoder().encode('ü-id')));
    const hex = Array.from(sig.subarray(0, 8), (x) => x.toString(16).padStart(2, '0')).join('');
    expect((await pseudonymsOf(['ü-id'], key)).get('ü-id')).toBe(`u_${hex}`);
  });

  it('give 100,000 distinct ids 100,000 distinct pseudonyms', async () => {
    const ids = Array.from({ length: 100_000 }, (_, i) => `user-${i}`);
    const map = await pseudonymsOf(ids, await pseudonymKey(fixedSecret(7)));
    expect(new Set(map.values()).size).toBe(100_000);
  });

  it('refuse short secrets and unknown ids', async () => {
    expect(() => pseudonymKey(new Uint8Array(8))).toThrow(RangeError);
    const look = pseudonymLookup(new Map([['a', 'u_0']]));
    expect(look('a')).toBe('u_0');
    expect(() => look('b')).toThrow(RangeError);
  });
});

// ---- on the demo log ----

const DEMO = join(resolve(__dirname, '../../..'), 'public', 'demo', 'uci-online-retail-demo.csv');
let ids: string[];
let profiles: ClusterProfiles;
let labels: Int32Array;
const K = 4;

beforeAll(async () => {
  const bytes = new Uint8Array(readFileSync(DEMO));
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      for (let i = 0; i < bytes.length; i += 65536) c.enqueue(bytes.slice(i, i + 65536));
      c.close();
    },
  });
  const a = await analyzeStream(stream, { fileName: 'demo.csv', totalBytes: bytes.length });
  const { table } = a.ingested;
  ids = Array.from({ length: a.sequences.count }, (_, i) => sequenceLabel(table, a.sequences, i));
  labels = new Int32Array(a.sequences.count);
  for (let i = 0; i < labels.length; i++) labels[i] = (a.sequences.offsets[i + 1] - a.sequences.offsets[i]) % K;
  profiles = profileClusters(table, a.sequences, labels, K);
});

describe('a pseudonymised assignments export of the demo', () => {
  it('holds no original id, only pseudonyms, one per user', async () => {
    const map = await pseudonymsOf(ids, await pseudonymKey(fixedSecret(3)));
    const look = pseudonymLookup(map);
    const { parts, rows } = assignmentsCsv({ ids: ids.map(look), labels, coords: null, clusterLabels: ['a', 'b', 'c', 'd'], selection: null });
    const text = exportText({ parts });
    expect(rows).toBe(ids.length);
    const cells = text
      .trim()
      .split(/\r?\n/)
      .slice(1)
      .map((line) => line.split(',')[0]);
    for (const cell of cells) expect(cell).toMatch(/^u_[0-9a-f]{16}$/);
    expect(new Set(cells).size).toBe(new Set(ids).size);
    // No id, as a whole cell or inside one (ids are digits: pseudonyms are hex, so look per cell).
    const idSet = new Set(ids);
    for (const cell of text.split(/[,\r\n]/)) expect(idSet.has(cell)).toBe(false);
  });
});

describe('Laplace noise', () => {
  it('has mean 0 and scale b (mean |x| = b, variance 2b^2)', () => {
    const rng = new Rng(11);
    const u = () => rng.nextFloat();
    const b = 3.5;
    const n = 200_000;
    let sum = 0;
    let abs = 0;
    let sq = 0;
    for (let i = 0; i < n; i++) {
      const x = laplace(b, u);
      sum += x;
      abs += Math.abs(x);
      sq += x * x;
    }
    // Standard errors: mean sqrt(2)b/sqrt(n) ~ 0.011; mean |x| b/sqrt(n) ~ 0.008.
    expect(Math.abs(sum / n)).toBeLessThan(0.05);
    expect(abs / n).toBeCloseTo(b, 1);
    expect(sq / n / (2 * b * b)).toBeGreaterThan(0.97);
    expect(sq / n / (2 * b * b)).toBeLessThan(1.03);
  });

  it('from crypto randomness is uniform enough: P(|x| > b ln 2) = 1/2', () => {
    const u = cryptoUniform();
    let over = 0;
    const n = 50_000;
    for (let i = 0; i < n; i++) {
      const v = u();
      expect(v >= 0 && v < 1).toBe(true);
      if (Math.abs(laplace(1, u)) > Math.LN2) over++;
    }
    expect(Math.abs(over / n - 0.5)).toBeLessThan(0.015);
  });

  it('refuses epsilon <= 0 or not finite', () => {
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, '1']) expect(() => checkEpsilon(bad)).toThrow(/Epsilon/);
    expect(checkEpsilon(0.5)).toBe(0.5);
  });
});

describe('noisy profiles', () => {
  it('state mechanism, epsilon and sensitivity, and scale = sensitivity / epsilon', () => {
    const rng = new Rng(5);
    const { privacy } = noisyProfiles(profiles, { epsilon: 0.5, uniform: () => rng.nextFloat() });
    expect(privacy.mechanism).toBe('laplace');
    expect(privacy.epsilon).toBe(0.5);
    // 5 per-cluster counts + 3 top lists of 10 entries, each moved by at most 1 by one user.
    expect(privacy.sensitivity).toBe(35);
    expect(privacy.scale).toBeCloseTo(70, 12);
    expect(privacy.note).toMatch(/not protected/);
  });

  it('omit unbounded numbers, keep counts whole and within the cluster, derive rates and totals', () => {
    const rng = new Rng(6);
    const { profiles: q } = noisyProfiles(profiles, { epsilon: 1, uniform: () => rng.nextFloat() });
    expect(q.clusters).toHaveLength(profiles.clusters.length);
    let total = 0;
    for (const c of q.clusters) {
      total += c.size;
      expect(Number.isInteger(c.size) && c.size >= 0).toBe(true);
      for (const n of [c.funnel.viewers, c.funnel.carters, c.funnel.buyers, c.funnel.returners]) {
        expect(Number.isInteger(n) && n >= 0 && n <= c.size).toBe(true);
      }
      expect(c.events).toBeNaN();
      expect(c.revenue).toBeNull();
      expect(c.orders).toBeNull();
      if (c.funnel.viewers > 0) expect(c.funnel.viewToCart).toBeCloseTo(Math.min(1, c.funnel.carters / c.funnel.viewers), 12);
      for (const x of c.topItems) expect(x.users).toBeLessThanOrEqual(c.size);
    }
    expect(q.users).toBe(total);
    expect(q.overall.size).toBe(total);
    expect(q.overall.funnel.buyers).toBe(q.clusters.reduce((s, c) => s + c.funnel.buyers, 0));
    for (const c of q.clusters) expect(c.share).toBeCloseTo(c.size / total, 12);
  });

  it('are unbiased away from 0: over many draws a large count keeps its mean, spread ~ sqrt(2) b', () => {
    const big = profiles.clusters.reduce((a, c) => (c.size > a.size ? c : a));
    const rng = new Rng(9);
    const epsilon = 10;
    const draws: number[] = [];
    for (let i = 0; i < 2000; i++) {
      draws.push(noisyProfiles(profiles, { epsilon, uniform: () => rng.nextFloat() }).profiles.clusters[big.cluster].size);
    }
    const b = 35 / epsilon;
    expect(big.size).toBeGreaterThan(8 * b); // far from the clamp at 0
    const mean = draws.reduce((s, x) => s + x, 0) / draws.length;
    const sd = Math.sqrt(draws.reduce((s, x) => s + (x - mean) ** 2, 0) / draws.length);
    expect(Math.abs(mean - big.size)).toBeLessThan(4 * ((Math.SQRT2 * b) / Math.sqrt(draws.length)));
    expect(sd / (Math.SQRT2 * b)).toBeGreaterThan(0.9);
    expect(sd / (Math.SQRT2 * b)).toBeLessThan(1.1);
  });

  it('write the statement into profiles.json and a privacy column into profiles.csv', () => {
    const rng = new Rng(1);
    const { profiles: q, privacy } = noisyProfiles(profiles, { epsilon: 1, uniform: () => rng.nextFloat() });
    const doc = JSON.parse(exportText(profilesJson(q, { file: 'demo.csv', k: K, generatedAt: 'now', privacy })));
    expect(doc.privacy).toMatchObject({ mechanism: 'laplace', epsilon: 1, sensitivity: 35 });
    expect(doc.clusters[0].events).toBeNull();
    expect(doc.clusters[0].revenue).toBeNull();
    const plain = JSON.parse(exportText(profilesJson(profiles, { file: 'demo.csv', k: K, generatedAt: 'now' })));
    expect(plain.privacy).toBeUndefined();
    const csv = exportText(profilesCsv(q, privacy)).split(/\r?\n/);
    expect(csv[0].endsWith(',privacy')).toBe(true);
    expect(csv[1]).toMatch(/Laplace noise, epsilon 1, sensitivity 35/);
    expect(exportText(profilesCsv(profiles)).split(/\r?\n/)[0].endsWith(',terms')).toBe(true);
  });
});
