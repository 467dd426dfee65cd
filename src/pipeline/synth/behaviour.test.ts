import { describe, expect, it } from 'vitest';
import { generateBehaviourLog, resolveBehaviourParams, schedule, userStream, type BehaviourLog } from './behaviour';
import {
  B_CART,
  B_PURCHASE,
  B_RETURN,
  B_VIEW,
  BEHAVIOUR_KINDS,
  BURST_MIN_GAP_DAYS,
  BURST_MIN_ITEMS,
  DAY_SECONDS,
  DEFER_DAYS,
  planUser,
  REPLENISH_DAYS,
  REPLENISH_JITTER_DAYS,
  RETURN_DAYS,
  type BehaviourKind,
  type ShopperContext,
} from './behaviourSegments';
import { buildCatalog } from './catalog';
import { generateLog } from './generate';
import { popularityTable } from './personas';
import { Random } from '../numeric/sfc32';

const DAY_MS = DAY_SECONDS * 1000;
const log = generateBehaviourLog({ seed: 5, users: 3000, items: 600, categories: 20 });

function sameArray(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Event indices of each session, in time order. */
function sessionEvents(l: BehaviourLog): number[][] {
  const out: number[][] = Array.from({ length: l.sessionUser.length }, () => []);
  for (let e = 0; e < l.length; e++) out[l.session[e]].push(e);
  return out;
}

/** Segment id of a kind in `l`. */
const seg = (l: BehaviourLog, kind: BehaviourKind): number => l.segments.findIndex((s) => s.kind === kind);

/**
 * Pearson's chi-square statistic of homogeneity of two count histograms over the same bins
 * (bins empty in both are left out), and its degrees of freedom.
 */
function chiSquare(a: ArrayLike<number>, b: ArrayLike<number>): { stat: number; df: number } {
  let sa = 0;
  let sb = 0;
  for (let i = 0; i < a.length; i++) {
    sa += a[i];
    sb += b[i];
  }
  let stat = 0;
  let bins = 0;
  for (let i = 0; i < a.length; i++) {
    const total = a[i] + b[i];
    if (total === 0) continue;
    bins++;
    const ea = (total * sa) / (sa + sb);
    const eb = (total * sb) / (sa + sb);
    stat += (a[i] - ea) ** 2 / ea + (b[i] - eb) ** 2 / eb;
  }
  return { stat, df: bins - 1 };
}

/** Upper 0.1% point of chi-square with df degrees of freedom (Wilson-Hilferty). */
function chiCritical(df: number): number {
  const z = 3.09;
  const h = 2 / (9 * df);
  return df * (1 - h + z * Math.sqrt(h)) ** 3;
}

/** Histogram of per-user counts of event type `type` in segment `s` (counts above `cap` pooled). */
function perUserCountHistogram(l: BehaviourLog, s: number, type: number, cap = 40): Float64Array {
  const counts = new Int32Array(l.params.users);
  for (let e = 0; e < l.length; e++) if (l.type[e] === type) counts[l.user[e]]++;
  const h = new Float64Array(cap + 1);
  for (let u = 0; u < l.params.users; u++) if (l.userSegment[u] === s) h[Math.min(cap, counts[u])]++;
  return h;
}

/** Events of type `type` per item in segment `s`, with items rarer than `min` in the whole log pooled in one bin. */
function itemHistogram(l: BehaviourLog, s: number, type: number, min = 20): Float64Array {
  const all = new Int32Array(l.catalog.size);
  for (let e = 0; e < l.length; e++) if (l.type[e] === type) all[l.item[e]]++;
  const h = new Float64Array(l.catalog.size + 1);
  for (let e = 0; e < l.length; e++) {
    if (l.type[e] !== type || l.userSegment[l.user[e]] !== s) continue;
    const i = l.item[e];
    h[all[i] >= min ? i : l.catalog.size]++;
  }
  return h;
}

describe('generateBehaviourLog', () => {
  it('is deterministic: the same seed gives identical arrays, another seed does not', () => {
    const again = generateBehaviourLog({ seed: 5, users: 3000, items: 600, categories: 20 });
    for (const key of ['time', 'type', 'user', 'session', 'item', 'userSegment', 'userEvents', 'sessionUser'] as const) {
      expect(sameArray(again[key], log[key]), key).toBe(true);
    }
    const other = generateBehaviourLog({ seed: 6, users: 3000, items: 600, categories: 20 });
    expect(sameArray(other.item, log.item)).toBe(false);
    expect(sameArray(other.userSegment, log.userSegment)).toBe(false);
  });

  it('sells from the same store as generateLog with the same seed', () => {
    const taste = generateLog({ seed: 5, users: 10, items: 600, events: 100, categories: 20 });
    expect(log.catalog.title).toEqual(taste.catalog.title);
    expect(sameArray(log.catalog.price, taste.catalog.price)).toBe(true);
  });

  it('lists events in time order, whole seconds, every user with events, segments of equal size', () => {
    expect(log.length).toBeGreaterThan(50_000);
    expect(log.time.every((t, e) => e === 0 || t >= log.time[e - 1])).toBe(true);
    expect(log.time.every((t) => t % 1000 === 0)).toBe(true);
    expect(log.userEvents.reduce((a, b) => a + b, 0)).toBe(log.length);
    expect(Math.min(...log.userEvents)).toBeGreaterThanOrEqual(2);
    const sizes = new Int32Array(log.segments.length);
    log.userSegment.forEach((s) => sizes[s]++);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    expect(log.segments.map((s) => s.kind)).toEqual([...BEHAVIOUR_KINDS]);
    expect(log.orderOnlyPairs).toEqual([[0, 1]]);
    // A session belongs to one user, and its events are at least 6 s apart (the reader collapses repeats within 5 s).
    const perSession = sessionEvents(log);
    for (let s = 0; s < perSession.length; s += 7) {
      const ev = perSession[s];
      for (let k = 0; k < ev.length; k++) {
        expect(log.user[ev[k]]).toBe(log.sessionUser[s]);
        if (k > 0) expect(log.time[ev[k]] - log.time[ev[k - 1]]).toBeGreaterThanOrEqual(6000);
      }
    }
  });

  it('takes the first N kinds or a list of kinds, and rejects bad settings', () => {
    expect(resolveBehaviourParams({ segments: 4 }).segments).toEqual(BEHAVIOUR_KINDS.slice(0, 4));
    expect(resolveBehaviourParams({ segments: ['returner', 'burst-buyer'] }).segments).toEqual(['returner', 'burst-buyer']);
    const two = generateBehaviourLog({ seed: 2, users: 50, items: 100, categories: 8, segments: ['returner', 'buy-then-browse'] });
    expect(two.segments.map((s) => s.kind)).toEqual(['returner', 'buy-then-browse']);
    expect(two.orderOnlyPairs).toEqual([]);
    expect(() => resolveBehaviourParams({ segments: 0 })).toThrow(/segments/);
    expect(() => resolveBehaviourParams({ segments: 7 })).toThrow(/segments/);
    expect(() => resolveBehaviourParams({ segments: ['shoplifter' as BehaviourKind] })).toThrow(/unknown segment kind/);
    expect(() => resolveBehaviourParams({ segments: ['returner', 'returner'] })).toThrow(/repeat/);
    expect(() => resolveBehaviourParams({ users: 0 })).toThrow(/users/);
    expect(() => resolveBehaviourParams({ days: 7 })).toThrow(/days/);
  });
});

describe('the order-only pair (compare-then-buy, buy-then-browse)', () => {
  const catalog = buildCatalog(new Random(9), { items: 300, categories: 12, missingBrand: 0 });
  const ctx = (rng: Random): ShopperContext => {
    const taste = rng.dirichlet(new Float64Array(12).fill(0.5), new Float64Array(12));
    const tasteCum = new Float64Array(12);
    taste.reduce((acc, w, c) => (tasteCum[c] = acc + w), 0);
    return { catalog, popularity: popularityTable(catalog), tasteCum, days: 91, browseSessionsMean: 2 };
  };

  it('makes the same events at the same times from the same stream, in another order', () => {
    let reordered = 0;
    for (let u = 0; u < 200; u++) {
      const ra = userStream(1, u);
      const rb = userStream(1, u);
      const a = schedule(planUser('compare-then-buy', ra, ctx(ra)));
      const b = schedule(planUser('buy-then-browse', rb, ctx(rb)));
      expect(b.length).toBe(a.length);
      for (let k = 0; k < a.length; k++) {
        expect(b[k].start).toBe(a[k].start);
        expect(b[k].gaps).toEqual(a[k].gaps);
        const multiset = (s: (typeof a)[number]): string[] => s.types.map((t, j) => `${t}:${s.items[j]}`).sort();
        expect(multiset(b[k])).toEqual(multiset(a[k]));
        if (a[k].types.includes(B_PURCHASE)) {
          // compare-then-buy ends with cart, purchase; buy-then-browse starts with them.
          expect(a[k].types.slice(-2)).toEqual([B_CART, B_PURCHASE]);
          expect(b[k].types.slice(0, 2)).toEqual([B_CART, B_PURCHASE]);
          expect(a[k].types).not.toEqual(b[k].types);
          reordered++;
        }
      }
    }
    expect(reordered).toBeGreaterThan(400);
  });

  it('has the same per-user event-type counts and item distributions in the log, unlike another segment', () => {
    const l = generateBehaviourLog({ seed: 8, users: 6000, items: 600, categories: 20, segments: ['compare-then-buy', 'buy-then-browse', 'returner'] });
    const [a, b] = l.orderOnlyPairs[0];
    const other = seg(l, 'returner');
    for (const type of [B_VIEW, B_CART, B_PURCHASE]) {
      const pair = chiSquare(perUserCountHistogram(l, a, type), perUserCountHistogram(l, b, type));
      expect(pair.stat, `per-user counts of type ${type}`).toBeLessThan(chiCritical(pair.df));
      const items = chiSquare(itemHistogram(l, a, type), itemHistogram(l, b, type));
      expect(items.stat, `items of type ${type}`).toBeLessThan(chiCritical(items.df));
    }
    // The same test tells a segment with other counts apart: it has power.
    const views = chiSquare(perUserCountHistogram(l, a, B_VIEW), perUserCountHistogram(l, other, B_VIEW));
    expect(views.stat).toBeGreaterThan(chiCritical(views.df));
    const returns = l.type.reduce((n, t, e) => n + (t === B_RETURN && l.userSegment[l.user[e]] !== other ? 1 : 0), 0);
    expect(returns).toBe(0);
  });

  it('differs in order: a purchase comes before the views in buy-then-browse sessions only', () => {
    const [a, b] = log.orderOnlyPairs[0];
    const buyFirst = new Int32Array(log.segments.length);
    const shopping = new Int32Array(log.segments.length);
    for (const ev of sessionEvents(log)) {
      const s = log.userSegment[log.user[ev[0]]];
      const p = ev.findIndex((e) => log.type[e] === B_PURCHASE);
      if (p < 0 || !ev.some((e) => log.type[e] === B_VIEW)) continue;
      shopping[s]++;
      if (ev.slice(p + 1).some((e) => log.type[e] === B_VIEW)) buyFirst[s]++;
    }
    expect(shopping[a]).toBeGreaterThan(1000);
    expect(buyFirst[a]).toBe(0);
    expect(buyFirst[b]).toBe(shopping[b]);
  });
});

describe('cadence segments', () => {
  const perSession = sessionEvents(log);

  it('weekly replenishers buy the same items every 7 days, give or take the jitter', () => {
    const s = seg(log, 'weekly-replenisher');
    const buys = new Map<string, number[]>();
    for (let e = 0; e < log.length; e++) {
      if (log.type[e] !== B_PURCHASE || log.userSegment[log.user[e]] !== s) continue;
      const key = `${log.user[e]}:${log.item[e]}`;
      if (!buys.has(key)) buys.set(key, []);
      buys.get(key)!.push(log.time[e]);
    }
    let gaps = 0;
    for (const times of buys.values()) {
      expect(times.length).toBeGreaterThanOrEqual(2);
      for (let k = 1; k < times.length; k++) {
        const days = (times[k] - times[k - 1]) / DAY_MS;
        // The planted gap, plus at most the minutes a basket spreads its purchases over.
        expect(days).toBeGreaterThan(REPLENISH_DAYS - REPLENISH_JITTER_DAYS - 0.01);
        expect(days).toBeLessThan(REPLENISH_DAYS + REPLENISH_JITTER_DAYS + 0.01);
        gaps++;
      }
    }
    expect(gaps).toBeGreaterThan(500 * 8);
    // 1 to 3 staple items per user.
    const staples = new Map<number, number>();
    for (const key of buys.keys()) staples.set(Number(key.split(':')[0]), (staples.get(Number(key.split(':')[0])) ?? 0) + 1);
    expect(Math.max(...staples.values())).toBeLessThanOrEqual(3);
  });

  it('burst buyers buy big baskets weeks apart, and nobody else buys such baskets', () => {
    const s = seg(log, 'burst-buyer');
    const bursts = new Map<number, number[]>();
    for (const ev of perSession) {
      const u = log.user[ev[0]];
      const purchases = ev.filter((e) => log.type[e] === B_PURCHASE).length;
      if (log.userSegment[u] === s && purchases > 0) {
        expect(purchases).toBeGreaterThanOrEqual(BURST_MIN_ITEMS);
        if (!bursts.has(u)) bursts.set(u, []);
        bursts.get(u)!.push(log.time[ev[0]]);
      } else if (log.userSegment[u] !== s) {
        expect(purchases).toBeLessThan(BURST_MIN_ITEMS);
      }
    }
    expect(bursts.size).toBe(500);
    let gaps = 0;
    for (const starts of bursts.values()) {
      for (let k = 1; k < starts.length; k++, gaps++) expect((starts[k] - starts[k - 1]) / DAY_MS).toBeGreaterThan(BURST_MIN_GAP_DAYS);
    }
    expect(gaps).toBeGreaterThan(100);
  });

  it('returners return what they bought days later; deferred buyers buy days after carting', () => {
    const check = (kind: BehaviourKind, later: number, earlier: number, range: readonly [number, number]): number => {
      const s = seg(log, kind);
      const last = new Map<string, number>();
      let n = 0;
      for (let e = 0; e < log.length; e++) {
        const u = log.user[e];
        const key = `${u}:${log.item[e]}`;
        if (log.type[e] === earlier && log.userSegment[u] === s) last.set(key, log.time[e]);
        if (log.type[e] !== later || log.userSegment[u] !== s) continue;
        const t0 = last.get(key);
        expect(t0, `${kind}: no earlier event for ${key}`).toBeDefined();
        const days = (log.time[e] - t0!) / DAY_MS;
        // The planted range; a colliding session may be pushed back by a few hours at most.
        expect(days).toBeGreaterThan(range[0] - 0.25);
        expect(days).toBeLessThan(range[1] + 0.25);
        n++;
      }
      return n;
    };
    expect(check('returner', B_RETURN, B_PURCHASE, RETURN_DAYS)).toBeGreaterThan(1000);
    expect(check('deferred-buyer', B_PURCHASE, B_CART, DEFER_DAYS)).toBeGreaterThan(1000);
    let returnsElsewhere = 0;
    for (let e = 0; e < log.length; e++) if (log.type[e] === B_RETURN && log.userSegment[log.user[e]] !== seg(log, 'returner')) returnsElsewhere++;
    expect(returnsElsewhere).toBe(0);
  });
});
