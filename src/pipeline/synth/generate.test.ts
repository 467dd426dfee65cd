import { describe, expect, it } from 'vitest';
import { CART, generateLog, PURCHASE, VIEW, type SynthLog, type SynthParams } from './generate';
import { BAND_TARGET } from './personas';
import { MAX_CATEGORIES } from './taxonomy';

const PARAMS: SynthParams = { seed: 7, users: 1500, items: 800, events: 30_000, segments: 6, categories: 24 };
const log = generateLog(PARAMS);

/** Per user, the share of its views in each category. */
function userCategoryMix(l: SynthLog): Float64Array[] {
  const nCat = l.catalog.categories.length;
  const mix = Array.from({ length: l.params.users }, () => new Float64Array(nCat));
  for (let e = 0; e < l.length; e++) if (l.type[e] === VIEW) mix[l.user[e]][l.catalog.category[l.item[e]]]++;
  for (const m of mix) {
    const total = m.reduce((a, b) => a + b, 0);
    if (total > 0) for (let c = 0; c < nCat; c++) m[c] /= total;
  }
  return mix;
}

function sameArray(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

function l1(a: Float64Array, b: Float64Array): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d += Math.abs(a[i] - b[i]);
  return d;
}

describe('generateLog', () => {
  it('is deterministic: the same seed gives identical arrays, another seed does not', () => {
    const again = generateLog(PARAMS);
    for (const key of ['time', 'type', 'user', 'session', 'item', 'userSegment', 'userEvents', 'sessionUser'] as const) {
      expect(sameArray(again[key], log[key]), key).toBe(true);
    }
    expect(again.catalog.title).toEqual(log.catalog.title);
    const other = generateLog({ ...PARAMS, seed: 8 });
    expect(sameArray(other.item, log.item)).toBe(false);
    expect(sameArray(other.userSegment, log.userSegment)).toBe(false);
  });

  it('keeps the store and the personas when only the volume changes', () => {
    const bigger = generateLog({ ...PARAMS, events: 40_000, users: 2000 });
    expect(bigger.catalog.title).toEqual(log.catalog.title);
    expect(bigger.catalog.price).toEqual(log.catalog.price);
    expect(bigger.personas.map((p) => p.name)).toEqual(log.personas.map((p) => p.name));
  });

  it('produces exactly the requested events, in time order, at least two per user', () => {
    expect(log.length).toBe(PARAMS.events);
    expect(log.userEvents.reduce((a, b) => a + b, 0)).toBe(PARAMS.events);
    expect(Math.min(...log.userEvents)).toBeGreaterThanOrEqual(2);
    expect(log.time.every((t, e) => e === 0 || t >= log.time[e - 1])).toBe(true);
    expect(log.time[0]).toBeGreaterThanOrEqual(Date.UTC(2019, 9, 1));
    expect(log.time.every((t) => t % 1000 === 0)).toBe(true);
  });

  it("keeps each user's sessions apart: contiguous in time, separated by more than 30 minutes", () => {
    const lastSession = new Int32Array(log.params.users).fill(-1);
    const lastTime = new Float64Array(log.params.users);
    const closed = new Set<number>();
    const problems: string[] = [];
    for (let e = 0; e < log.length; e++) {
      const u = log.user[e];
      const s = log.session[e];
      if (log.sessionUser[s] !== u) problems.push(`event ${e}: session ${s} is not user ${u}'s`);
      if (lastSession[u] !== s) {
        if (closed.has(s)) problems.push(`event ${e}: session ${s} resumes`);
        if (lastSession[u] >= 0) {
          closed.add(lastSession[u]);
          if (log.time[e] - lastTime[u] <= 30 * 60_000) problems.push(`event ${e}: sessions of user ${u} 30 minutes apart or less`);
        }
        lastSession[u] = s;
      }
      lastTime[u] = log.time[e];
    }
    expect(problems.slice(0, 5)).toEqual([]);
  });

  it('follows the funnel: a cart follows a view of the same item, a purchase a cart', () => {
    const prevType = new Int32Array(log.params.users).fill(-1);
    const prevItem = new Int32Array(log.params.users).fill(-1);
    let broken = 0;
    for (let e = 0; e < log.length; e++) {
      const u = log.user[e];
      const needs = log.type[e] === CART ? VIEW : log.type[e] === PURCHASE ? CART : -1;
      if (needs >= 0 && (prevType[u] !== needs || prevItem[u] !== log.item[e])) broken++;
      prevType[u] = log.type[e];
      prevItem[u] = log.item[e];
    }
    expect(broken).toBe(0);
  });

  it('plants segments whose category mixes differ clearly', () => {
    const mix = userCategoryMix(log);
    const k = log.personas.length;
    const nCat = log.catalog.categories.length;
    const centroid = Array.from({ length: k }, () => new Float64Array(nCat));
    const size = new Int32Array(k);
    mix.forEach((m, u) => {
      const s = log.userSegment[u];
      size[s]++;
      for (let c = 0; c < nCat; c++) centroid[s][c] += m[c];
    });
    centroid.forEach((c, s) => c.forEach((_, i) => (c[i] /= size[s])));
    // Total variation distance between every pair of segments' category mixes.
    for (let a = 0; a < k; a++) for (let b = a + 1; b < k; b++) expect(l1(centroid[a], centroid[b]) / 2).toBeGreaterThan(0.4);
    // And the labels are recoverable from behaviour: most users sit nearest their own segment.
    let right = 0;
    mix.forEach((m, u) => {
      let best = 0;
      for (let s = 1; s < k; s++) if (l1(m, centroid[s]) < l1(m, centroid[best])) best = s;
      if (best === log.userSegment[u]) right++;
    });
    expect(right / mix.length).toBeGreaterThan(0.85);
  });

  it('plants each persona’s funnel depth and price band', () => {
    const k = log.personas.length;
    const views = new Float64Array(k);
    const carts = new Float64Array(k);
    const z = new Float64Array(k);
    for (let e = 0; e < log.length; e++) {
      const s = log.userSegment[log.user[e]];
      if (log.type[e] === VIEW) {
        views[s]++;
        z[s] += log.catalog.priceZ[log.item[e]];
      } else if (log.type[e] === CART) carts[s]++;
    }
    // A session that ends on a view cuts its cart short, more so for personas with short
    // sessions, so measured rates sit below the planted ones; their order must still hold.
    const rate = (s: number) => carts[s] / views[s];
    log.personas.forEach((p, s) => {
      expect(rate(s)).toBeLessThanOrEqual(p.cartRate * 1.1);
      expect(rate(s)).toBeGreaterThan(p.cartRate * 0.5);
      for (const q of log.personas) if (p.cartRate > q.cartRate + 0.05) expect(rate(s)).toBeGreaterThan(rate(q.id));
      // Noise views ignore the band, so the mean sits between the band centre and 0.
      const meanZ = z[s] / views[s];
      const target = BAND_TARGET[p.priceBand];
      if (target === 0) expect(Math.abs(meanZ)).toBeLessThan(0.25);
      else expect(meanZ * target).toBeGreaterThan(0.3);
    });
  });

  it('gives items REES46-style category codes and titles built from their category words', () => {
    const cat = log.catalog;
    for (let i = 0; i < cat.size; i++) {
      const spec = cat.categories[cat.category[i]];
      expect(spec.code).toMatch(/^[a-z_]+(\.[a-z_]+)+$/);
      const lastSlot = spec.slots[spec.slots.length - 1];
      expect(lastSlot.some((w) => cat.title[i].endsWith(w))).toBe(true);
      expect(cat.price[i]).toBeGreaterThan(0);
    }
    expect(new Set(cat.productId).size).toBe(cat.size);
  });

  it('rejects impossible parameters', () => {
    expect(() => generateLog({ ...PARAMS, categories: MAX_CATEGORIES + 1 })).toThrow(RangeError);
    expect(() => generateLog({ ...PARAMS, items: 3, categories: 8 })).toThrow(RangeError);
    expect(() => generateLog({ ...PARAMS, users: 0 })).toThrow(RangeError);
    expect(() => generateLog({ ...PARAMS, events: 1.5 })).toThrow(RangeError);
  });

  it('handles fewer events than users (some users are absent) and an empty log', () => {
    const sparse = generateLog({ ...PARAMS, events: 500 });
    expect(sparse.length).toBe(500);
    const present = sparse.userEvents.filter((n) => n > 0).length;
    expect(present).toBeGreaterThan(100);
    expect(present).toBeLessThanOrEqual(500);
    expect(sparse.userEvents.reduce((a, b) => a + b, 0)).toBe(500);
    expect(generateLog({ ...PARAMS, events: 0 }).length).toBe(0);
  });
});
