// Behaviour segments: shoppers who buy from the same catalogue with the same item popularity and
// the same spread of personal taste, and differ only in HOW they shop (the order of events in a
// session, purchase cadence, replenishment of the same items, basket bursts, returns). Clustering
// by what people bought cannot tell them apart; only a model of behaviour can.
//
// Each segment kind turns one user's random stream into planned sessions (start time, events,
// gaps); behaviour.ts schedules them on the user's timeline and writes the log. The two kinds of
// the order-only pair share one content routine and differ only in the order they emit it in, so
// with the same stream they produce the same events at the same times, permuted within sessions.

import type { Catalog } from './catalog';
import { type Random, sampleCumulative } from '../numeric/sfc32';

/** Event type codes of BehaviourLog.type, with the names the CSV writes. */
export const BEHAVIOUR_EVENT_TYPES = ['view', 'cart', 'purchase', 'return'] as const;
export const B_VIEW = 0;
export const B_CART = 1;
export const B_PURCHASE = 2;
export const B_RETURN = 3;

export const BEHAVIOUR_KINDS = ['compare-then-buy', 'buy-then-browse', 'weekly-replenisher', 'burst-buyer', 'returner', 'deferred-buyer'] as const;
export type BehaviourKind = (typeof BEHAVIOUR_KINDS)[number];

/** Pairs of kinds with identical event-type counts, items and gaps, told apart only by event order. */
export const ORDER_ONLY_PAIRS: readonly (readonly [BehaviourKind, BehaviourKind])[] = [['compare-then-buy', 'buy-then-browse']];

export const BEHAVIOUR_DESCRIPTIONS: Readonly<Record<BehaviourKind, string>> = {
  'compare-then-buy': 'views several items of one category, then carts and buys one of them',
  'buy-then-browse': 'carts and buys an item first, then views items of its category (same events as compare-then-buy, other order)',
  'weekly-replenisher': 'buys the same 1-3 staple items about every 7 days',
  'burst-buyer': 'rare sessions weeks apart, each a big basket bought at once',
  returner: 'buys, then returns the item days later',
  'deferred-buyer': 'carts an item, comes back days later to buy it',
};

export const DAY_SECONDS = 86_400;
/** Mean and floor of the seconds between two events of a session (the floor stays above the pipeline's 5 s duplicate window). */
export const GAP_MEAN_SECONDS = 40;
export const GAP_MIN_SECONDS = 6;
/** Replenishers buy every REPLENISH_DAYS days, give or take REPLENISH_JITTER_DAYS. */
export const REPLENISH_DAYS = 7;
export const REPLENISH_JITTER_DAYS = 0.25;
/** A burst buyer's baskets are at least this many days apart. */
export const BURST_MIN_GAP_DAYS = 28;
/** Smallest basket of a burst. */
export const BURST_MIN_ITEMS = 6;
/** A return comes this many days after the purchase (uniform in the range). */
export const RETURN_DAYS: readonly [number, number] = [1, 10];
/** A deferred buyer comes back to buy this many days after carting (uniform in the range). */
export const DEFER_DAYS: readonly [number, number] = [1, 4];
/** Share of a returner's purchases that are returned. */
const RETURN_SHARE = 0.85;
/** Relative traffic per hour of day (UTC): quiet nights, an evening peak. */
const HOUR_WEIGHTS = [2, 1, 1, 1, 1, 2, 3, 5, 7, 8, 8, 8, 9, 9, 8, 8, 8, 9, 10, 12, 12, 10, 7, 4];

/** One session as a segment plans it; times are seconds from the log's start. */
export interface PlannedSession {
  start: number;
  /** Never moved on the timeline (a replenisher's weekly purchase): others give way to it. */
  anchored: boolean;
  /** Plain browsing every segment does alike: dropped rather than moved when it collides. */
  browse: boolean;
  types: number[];
  items: number[];
  /** Seconds before each event after the first (types.length - 1 values). */
  gaps: number[];
}

/** What every segment draws from alike: the catalogue, its popularity, the user's taste. */
export interface ShopperContext {
  catalog: Catalog;
  /** Cumulative item popularity laid out like catalog.itemsOf. */
  popularity: Float64Array;
  /** The user's cumulative taste over categories. */
  tasteCum: Float64Array;
  days: number;
  /** Mean number of plain browsing sessions per user (all segments alike). */
  browseSessionsMean: number;
}

const HOUR_CUM = (() => {
  const cum = new Float64Array(HOUR_WEIGHTS.length);
  HOUR_WEIGHTS.reduce((acc, w, h) => (cum[h] = acc + w), 0);
  return cum;
})();

/** A session start on day `day` (fractional days allowed) at a time of day drawn from HOUR_WEIGHTS. */
function startOn(rng: Random, day: number): number {
  return Math.floor(day) * DAY_SECONDS + sampleCumulative(rng, HOUR_CUM) * 3600 + rng.int(3600);
}

function randomStart(rng: Random, days: number): number {
  return startOn(rng, rng.int(Math.max(1, Math.floor(days))));
}

function gaps(rng: Random, n: number): number[] {
  const out: number[] = [];
  for (let k = 0; k < n; k++) out.push(GAP_MIN_SECONDS + Math.round(rng.exponential(GAP_MEAN_SECONDS)));
  return out;
}

function drawCategory(rng: Random, ctx: ShopperContext): number {
  return sampleCumulative(rng, ctx.tasteCum);
}

function drawItem(rng: Random, ctx: ShopperContext, cat: number): number {
  const c = ctx.catalog;
  return c.itemsOf[sampleCumulative(rng, ctx.popularity, c.catStart[cat], c.catStart[cat + 1])];
}

/** Up to n distinct items of category `cat` (fewer when the category is small). */
function drawDistinct(rng: Random, ctx: ShopperContext, cat: number, n: number): number[] {
  const out: number[] = [];
  for (let tries = 0; out.length < n && tries < 4 * n; tries++) {
    const it = drawItem(rng, ctx, cat);
    if (!out.includes(it)) out.push(it);
  }
  return out;
}

function session(start: number, types: number[], items: number[], rng: Random, flags: { anchored?: boolean; browse?: boolean } = {}): PlannedSession {
  return { start, anchored: flags.anchored ?? false, browse: flags.browse ?? false, types, items, gaps: gaps(rng, types.length - 1) };
}

/** Plain browsing: a few views in one category. Every segment does this alike. */
function browseSessions(rng: Random, ctx: ShopperContext): PlannedSession[] {
  const out: PlannedSession[] = [];
  const n = rng.poisson(ctx.browseSessionsMean);
  for (let k = 0; k < n; k++) {
    const items = drawDistinct(rng, ctx, drawCategory(rng, ctx), 1 + rng.geometric(2));
    out.push(
      session(
        randomStart(rng, ctx.days),
        items.map(() => B_VIEW),
        items,
        rng,
        { browse: true },
      ),
    );
  }
  return out;
}

/** Content of the order-only pair's shopping sessions: views of one category, one of them bought. */
interface ShopContent {
  start: number;
  views: number[];
  bought: number;
  gaps: number[];
}

function shopContent(rng: Random, ctx: ShopperContext): ShopContent[] {
  const out: ShopContent[] = [];
  const n = 2 + rng.poisson(2);
  for (let k = 0; k < n; k++) {
    const start = randomStart(rng, ctx.days);
    const views = drawDistinct(rng, ctx, drawCategory(rng, ctx), 2 + rng.geometric(2));
    const bought = rng.pick(views);
    // Same number of gaps for both orders (views + cart + purchase), drawn before the order is known.
    out.push({ start, views, bought, gaps: gaps(rng, views.length + 1) });
  }
  return out;
}

function orderedShopSessions(content: ShopContent[], buyFirst: boolean): PlannedSession[] {
  return content.map((c) => {
    const viewTypes = c.views.map(() => B_VIEW);
    const types = buyFirst ? [B_CART, B_PURCHASE, ...viewTypes] : [...viewTypes, B_CART, B_PURCHASE];
    const items = buyFirst ? [c.bought, c.bought, ...c.views] : [...c.views, c.bought, c.bought];
    return { start: c.start, anchored: false, browse: false, types, items, gaps: c.gaps.slice() };
  });
}

function replenisherSessions(rng: Random, ctx: ShopperContext): PlannedSession[] {
  const staples: number[] = [];
  const want = 1 + rng.int(3);
  for (let tries = 0; staples.length < want && tries < 20; tries++) {
    const it = drawItem(rng, ctx, drawCategory(rng, ctx));
    if (!staples.includes(it)) staples.push(it);
  }
  const out: PlannedSession[] = [];
  // Whole-second starts, each REPLENISH_DAYS after the previous one give or take the jitter.
  let t = startOn(rng, rng.int(REPLENISH_DAYS));
  while (t < ctx.days * DAY_SECONDS || out.length < 2) {
    const types: number[] = [];
    const items: number[] = [];
    // The basket: each staple carted (sometimes looked at first), then all bought at checkout.
    for (const it of staples) {
      if (rng.float() < 0.3) {
        types.push(B_VIEW);
        items.push(it);
      }
      types.push(B_CART);
      items.push(it);
    }
    for (const it of staples) {
      types.push(B_PURCHASE);
      items.push(it);
    }
    out.push(session(t, types, items, rng, { anchored: true }));
    t += Math.round((REPLENISH_DAYS + rng.range(-REPLENISH_JITTER_DAYS, REPLENISH_JITTER_DAYS)) * DAY_SECONDS);
  }
  return out;
}

function burstSessions(rng: Random, ctx: ShopperContext): PlannedSession[] {
  const out: PlannedSession[] = [];
  let day = rng.range(0, Math.max(1, ctx.days / 2));
  do {
    const basket: number[] = [];
    const want = BURST_MIN_ITEMS + rng.geometric(4);
    for (let tries = 0; basket.length < want && tries < 4 * want; tries++) {
      const it = drawItem(rng, ctx, drawCategory(rng, ctx));
      if (!basket.includes(it)) basket.push(it);
    }
    const types: number[] = [];
    const items: number[] = [];
    for (const it of basket) {
      types.push(B_VIEW, B_CART);
      items.push(it, it);
    }
    for (const it of basket) {
      types.push(B_PURCHASE);
      items.push(it);
    }
    out.push(session(startOn(rng, day), types, items, rng, { anchored: true }));
    day += BURST_MIN_GAP_DAYS + 1 + rng.exponential(14);
  } while (day < ctx.days);
  return out;
}

function returnerSessions(rng: Random, ctx: ShopperContext): PlannedSession[] {
  const out: PlannedSession[] = [];
  const n = 2 + rng.poisson(2);
  for (let k = 0; k < n; k++) {
    const start = randomStart(rng, ctx.days);
    const views = drawDistinct(rng, ctx, drawCategory(rng, ctx), 1 + rng.int(3));
    const bought = rng.pick(views);
    out.push(session(start, [...views.map(() => B_VIEW), B_CART, B_PURCHASE], [...views, bought, bought], rng));
    if (rng.float() < RETURN_SHARE) {
      const later = start + Math.round(rng.range(RETURN_DAYS[0] + 0.1, RETURN_DAYS[1] - 0.1) * DAY_SECONDS);
      const lookFirst = rng.float() < 0.5;
      out.push(session(later, lookFirst ? [B_VIEW, B_RETURN] : [B_RETURN], lookFirst ? [bought, bought] : [bought], rng, { anchored: true }));
    }
  }
  return out;
}

function deferredSessions(rng: Random, ctx: ShopperContext): PlannedSession[] {
  const out: PlannedSession[] = [];
  const n = 2 + rng.poisson(2);
  for (let k = 0; k < n; k++) {
    const start = randomStart(rng, ctx.days);
    const views = drawDistinct(rng, ctx, drawCategory(rng, ctx), 2 + rng.geometric(2));
    const carted = rng.pick(views);
    out.push(session(start, [...views.map(() => B_VIEW), B_CART], [...views, carted], rng));
    const later = start + Math.round(rng.range(DEFER_DAYS[0] + 0.1, DEFER_DAYS[1] - 0.1) * DAY_SECONDS);
    out.push(session(later, [B_VIEW, B_PURCHASE], [carted, carted], rng, { anchored: true }));
  }
  return out;
}

/** The sessions one user of `kind` plans, from the user's own random stream. */
export function planUser(kind: BehaviourKind, rng: Random, ctx: ShopperContext): PlannedSession[] {
  let own: PlannedSession[];
  switch (kind) {
    case 'compare-then-buy':
      own = orderedShopSessions(shopContent(rng, ctx), false);
      break;
    case 'buy-then-browse':
      own = orderedShopSessions(shopContent(rng, ctx), true);
      break;
    case 'weekly-replenisher':
      own = replenisherSessions(rng, ctx);
      break;
    case 'burst-buyer':
      own = burstSessions(rng, ctx);
      break;
    case 'returner':
      own = returnerSessions(rng, ctx);
      break;
    case 'deferred-buyer':
      own = deferredSessions(rng, ctx);
      break;
  }
  return [...own, ...browseSessions(rng, ctx)];
}

/** Seconds a planned session lasts from its first event to its last. */
export function sessionSpan(s: PlannedSession): number {
  let t = 0;
  for (const g of s.gaps) t += g;
  return t;
}
