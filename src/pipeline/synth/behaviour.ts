// Generates a behaviour log with planted BEHAVIOUR segments (behaviourSegments.ts): every user buys
// from the same catalogue with the same item popularity, and draws a personal taste from the same
// prior whatever the segment, so a clustering by items sees nothing; the segments differ only in
// how they shop. Pure and synchronous like generateLog; the same parameters give the same log.
//
// Every user has a random stream of its own (derived from the seed and the user index), so a
// user's events depend on its segment and that stream only: the order-only pair's users make the
// same events with the same stream, in another order.

import { buildCatalog, type Catalog } from './catalog';
import {
  BEHAVIOUR_DESCRIPTIONS,
  BEHAVIOUR_KINDS,
  DAY_SECONDS,
  ORDER_ONLY_PAIRS,
  planUser,
  sessionSpan,
  type BehaviourKind,
  type PlannedSession,
  type ShopperContext,
} from './behaviourSegments';
import { popularityTable } from './personas';
import { hash32, Random } from '../numeric/sfc32';
import { stableOrder } from './sort';

export interface BehaviourParams {
  seed: number;
  users: number;
  /** How many segments (the first N of BEHAVIOUR_KINDS: the order-only pair comes first), or which kinds. */
  segments: number | readonly BehaviourKind[];
  items: number;
  /** Leaf categories in use (at most MAX_CATEGORIES). */
  categories: number;
  /** First possible event, ms since the epoch (default 2019-10-01 00:00 UTC). */
  startMs?: number;
  /** Days over which sessions start (a replenisher needs several weeks to show its cadence). */
  days?: number;
  /** Dirichlet concentration of a user's taste over categories, summed over categories: small = few favourite categories. */
  tasteConcentration?: number;
  /** Mean number of plain browsing sessions per user, alike in every segment. */
  browseSessionsMean?: number;
  /** Share of items without a brand. */
  missingBrand?: number;
}

export interface ResolvedBehaviourParams extends Required<Omit<BehaviourParams, 'segments'>> {
  segments: BehaviourKind[];
}

export const DEFAULT_BEHAVIOUR_PARAMS: ResolvedBehaviourParams = {
  seed: 1,
  users: 3_000,
  segments: [...BEHAVIOUR_KINDS],
  items: 1_000,
  categories: 24,
  startMs: Date.UTC(2019, 9, 1),
  days: 91,
  tasteConcentration: 6,
  browseSessionsMean: 2,
  missingBrand: 0.05,
};

/** Bump whenever the same parameters would produce a different log (cached files are keyed by it). */
export const BEHAVIOUR_FORMAT_VERSION = 1;

export interface BehaviourSegment {
  id: number;
  kind: BehaviourKind;
  /** Human-readable, e.g. "compare-then-buy: views several items ...". */
  name: string;
}

export interface BehaviourLog {
  params: ResolvedBehaviourParams;
  /** Number of events; every per-event array has this length, in time order. */
  length: number;
  /** ms since the epoch, whole seconds. */
  time: Float64Array;
  /** Index into BEHAVIOUR_EVENT_TYPES. */
  type: Uint8Array;
  user: Int32Array;
  session: Int32Array;
  item: Int32Array;
  catalog: Catalog;
  segments: BehaviourSegment[];
  /** Segment ids that only the order of events tells apart. */
  orderOnlyPairs: [number, number][];
  /** The planted label: segment index of each user index. */
  userSegment: Int32Array;
  /** Events of each user. */
  userEvents: Int32Array;
  /** User index of each session index. */
  sessionUser: Int32Array;
}

/** A user's sessions are at least this far apart, beyond the usual 30-minute session gap. */
const MIN_SESSION_GAP_SECONDS = 45 * 60;

export function resolveBehaviourParams(params: Partial<BehaviourParams>): ResolvedBehaviourParams {
  const { segments, ...rest } = params;
  const p: ResolvedBehaviourParams = { ...DEFAULT_BEHAVIOUR_PARAMS, ...rest, segments: DEFAULT_BEHAVIOUR_PARAMS.segments };
  if (typeof segments === 'number') {
    if (!Number.isInteger(segments) || segments < 1 || segments > BEHAVIOUR_KINDS.length) {
      throw new RangeError(`segments must be an integer in [1, ${BEHAVIOUR_KINDS.length}] or a list of kinds, got ${segments}`);
    }
    p.segments = BEHAVIOUR_KINDS.slice(0, segments);
  } else if (segments !== undefined) {
    if (segments.length === 0) throw new RangeError('segments must name at least one kind');
    for (const k of segments) if (!BEHAVIOUR_KINDS.includes(k)) throw new RangeError(`unknown segment kind "${k}"; known: ${BEHAVIOUR_KINDS.join(', ')}`);
    if (new Set(segments).size !== segments.length) throw new RangeError('segments must not repeat a kind');
    p.segments = [...segments];
  }
  if (!Number.isInteger(p.users) || p.users < 1) throw new RangeError(`users must be a positive integer, got ${p.users}`);
  if (!Number.isFinite(p.seed)) throw new RangeError(`seed must be a finite number, got ${p.seed}`);
  if (!(p.days >= 14)) throw new RangeError(`days must be at least 14 (cadences need weeks), got ${p.days}`);
  if (!(p.tasteConcentration > 0)) throw new RangeError(`tasteConcentration must be positive, got ${p.tasteConcentration}`);
  if (!(p.browseSessionsMean >= 0)) throw new RangeError(`browseSessionsMean must be at least 0, got ${p.browseSessionsMean}`);
  return p;
}

/** The random stream of user u: independent of every other user and of the segment mix. */
export function userStream(seed: number, u: number): Random {
  return new Random((hash32((seed >>> 0) ^ 0xbe4a7105) ^ hash32(u ^ 0x5bd1e995)) >>> 0);
}

export function generateBehaviourLog(params: Partial<BehaviourParams> = {}): BehaviourLog {
  const p = resolveBehaviourParams(params);
  // The same catalogue stream as generateLog's: the same seed gives the same store.
  const catalog = buildCatalog(new Random(p.seed ^ 0x00ca7a10), { items: p.items, categories: p.categories, missingBrand: p.missingBrand });
  const popularity = popularityTable(catalog);
  const segments: BehaviourSegment[] = p.segments.map((kind, id) => ({ id, kind, name: `${kind}: ${BEHAVIOUR_DESCRIPTIONS[kind]}` }));
  const orderOnlyPairs: [number, number][] = [];
  for (const [a, b] of ORDER_ONLY_PAIRS) {
    const ia = p.segments.indexOf(a);
    const ib = p.segments.indexOf(b);
    if (ia >= 0 && ib >= 0) orderOnlyPairs.push([ia, ib]);
  }
  const userSegment = assignSegments(new Random(p.seed ^ 0x5e6a3e75), p.users, segments.length);

  const nCat = catalog.categories.length;
  const alpha = new Float64Array(nCat).fill(p.tasteConcentration / nCat);
  const taste = new Float64Array(nCat);
  const ctx: ShopperContext = { catalog, popularity, tasteCum: new Float64Array(nCat), days: p.days, browseSessionsMean: p.browseSessionsMean };

  const secs: number[] = [];
  const type: number[] = [];
  const user: number[] = [];
  const sessionOf: number[] = [];
  const item: number[] = [];
  const sessionUser: number[] = [];
  const userEvents = new Int32Array(p.users);

  for (let u = 0; u < p.users; u++) {
    const rng = userStream(p.seed, u);
    // Taste first, from the same prior in every segment.
    rng.dirichlet(alpha, taste);
    taste.reduce((acc, w, c) => (ctx.tasteCum[c] = acc + w), 0);
    const planned = schedule(planUser(p.segments[userSegment[u]], rng, ctx));
    for (const s of planned) {
      const id = sessionUser.length;
      sessionUser.push(u);
      let t = s.start;
      for (let k = 0; k < s.types.length; k++) {
        if (k > 0) t += s.gaps[k - 1];
        secs.push(t);
        type.push(s.types[k]);
        user.push(u);
        sessionOf.push(id);
        item.push(s.items[k]);
      }
      userEvents[u] += s.types.length;
    }
  }

  const order = stableOrder(Uint32Array.from(secs));
  const n = order.length;
  const out = {
    time: new Float64Array(n),
    type: new Uint8Array(n),
    user: new Int32Array(n),
    session: new Int32Array(n),
    item: new Int32Array(n),
  };
  for (let i = 0; i < n; i++) {
    const e = order[i];
    out.time[i] = p.startMs + secs[e] * 1000;
    out.type[i] = type[e];
    out.user[i] = user[e];
    out.session[i] = sessionOf[e];
    out.item[i] = item[e];
  }
  return { params: p, length: n, ...out, catalog, segments, orderOnlyPairs, userSegment, userEvents, sessionUser: Int32Array.from(sessionUser) };
}

/**
 * Puts a user's planned sessions on one timeline without overlaps: in start order, a browsing
 * session that collides with the one before is dropped, a browsing session that an anchored or
 * shopping session collides with is dropped instead, and two shopping sessions push the later one
 * back. Anchored sessions are spaced days apart, so they are never moved by each other in practice.
 */
export function schedule(planned: PlannedSession[]): PlannedSession[] {
  const sorted = planned.map((s, i) => ({ s, i })).sort((a, b) => a.s.start - b.s.start || a.i - b.i);
  const kept: PlannedSession[] = [];
  const end = (s: PlannedSession): number => s.start + sessionSpan(s);
  for (const { s } of sorted) {
    let drop = false;
    while (kept.length > 0 && s.start < end(kept[kept.length - 1]) + MIN_SESSION_GAP_SECONDS) {
      if (s.browse) {
        drop = true;
        break;
      }
      if (kept[kept.length - 1].browse) {
        kept.pop();
        continue;
      }
      s.start = end(kept[kept.length - 1]) + MIN_SESSION_GAP_SECONDS;
    }
    if (!drop) kept.push(s);
  }
  return kept;
}

/** Equal segment sizes (to one user), in a seeded random order. */
function assignSegments(rng: Random, users: number, count: number): Int32Array {
  const seg = Int32Array.from({ length: users }, (_, u) => u % count);
  for (let i = users - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = seg[i];
    seg[i] = seg[j];
    seg[j] = t;
  }
  return seg;
}

/** Length of the log's time span in days, for reports. */
export function behaviourSpanDays(log: BehaviourLog): number {
  return log.length === 0 ? 0 : (log.time[log.length - 1] - log.time[0]) / (DAY_SECONDS * 1000);
}
