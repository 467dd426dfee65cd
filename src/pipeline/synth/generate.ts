// Generates a behaviour log with planted shopper segments. Pure and synchronous (no DOM, no Node),
// so workers, tests and benchmarks share it; the same parameters always give the same log.
//
// Users are simulated one at a time: an event budget, split into sessions, each session a walk
// through the persona's categories with a view -> cart -> purchase funnel. The events are then put
// in global time order, as a shop's export would list them.

import { buildCatalog, type Catalog } from './catalog';
import { makePersonas, personaItemTables, popularityTable, type Persona } from './personas';
import { Random, sampleCumulative } from '../numeric/sfc32';
import { stableOrder } from './sort';

export interface SynthParams {
  seed: number;
  users: number;
  items: number;
  /** Exact number of events in the log. */
  events: number;
  segments: number;
  /** Number of leaf categories in use (at most MAX_CATEGORIES). */
  categories: number;
  /** First possible event, ms since the epoch (default 2019-10-01 00:00 UTC, like REES46 Oct). */
  startMs?: number;
  /** Days over which sessions start; a very active user's last sessions may run past it. */
  days?: number;
  /** Base probability that a view ignores the persona's taste and price band. */
  noise?: number;
  /** How closely users follow their persona's category taste (Dirichlet concentration). */
  tasteConcentration?: number;
  /** Share of items without a brand. */
  missingBrand?: number;
}

/**
 * Bump whenever the same parameters would produce different output, so that files cached from an
 * older generator (benchmarks keep them on disk) are regenerated instead of silently reused.
 */
export const SYNTH_FORMAT_VERSION = 1;

export type ResolvedSynthParams = Required<SynthParams>;

export const DEFAULT_SYNTH_PARAMS: ResolvedSynthParams = {
  seed: 1,
  users: 2_000,
  items: 1_000,
  events: 20_000,
  segments: 6,
  categories: 24,
  startMs: Date.UTC(2019, 9, 1),
  days: 31,
  noise: 0.1,
  tasteConcentration: 30,
  missingBrand: 0.05,
};

/** Event type codes of SynthLog.type, with the names the CSV writes. */
export const EVENT_TYPES = ['view', 'cart', 'purchase'] as const;
export const VIEW = 0;
export const CART = 1;
export const PURCHASE = 2;

export interface SynthLog {
  params: ResolvedSynthParams;
  /** Number of events; every per-event array has this length, in time order. */
  length: number;
  /** ms since the epoch, whole seconds (REES46 has second resolution). */
  time: Float64Array;
  /** Index into EVENT_TYPES. */
  type: Uint8Array;
  user: Int32Array;
  session: Int32Array;
  item: Int32Array;
  catalog: Catalog;
  personas: Persona[];
  /** The planted label: persona index of each user index. */
  userSegment: Int32Array;
  /** Events of each user; 0 means the user is absent from the log (fewer events than users). */
  userEvents: Int32Array;
  /** User index of each session index. */
  sessionUser: Int32Array;
}

/** Probability that a view returns to an item already seen in the session. */
const REVISIT = 0.08;
/** Probability that the next view stays in the current category. */
const STAY_IN_CATEGORY = 0.6;
const CART_DWELL_SECONDS = 20;
const PURCHASE_DWELL_SECONDS = 90;
/** A user's sessions are at least this far apart, beyond the usual 30-minute session gap. */
const MIN_SESSION_GAP_SECONDS = 45 * 60;
/** Relative traffic per hour of day (UTC): quiet nights, an evening peak. */
const HOUR_WEIGHTS = [2, 1, 1, 1, 1, 2, 3, 5, 7, 8, 8, 8, 9, 9, 8, 8, 8, 9, 10, 12, 12, 10, 7, 4];

export function resolveParams(params: Partial<SynthParams>): ResolvedSynthParams {
  const p = { ...DEFAULT_SYNTH_PARAMS, ...params };
  const int = (name: keyof SynthParams, min: number): void => {
    const v = p[name];
    if (!Number.isInteger(v) || v < min) throw new RangeError(`${name} must be an integer of at least ${min}, got ${v}`);
  };
  int('users', 1);
  int('events', 0);
  int('segments', 1);
  if (!Number.isFinite(p.seed)) throw new RangeError(`seed must be a finite number, got ${p.seed}`);
  if (!(p.days > 0)) throw new RangeError(`days must be positive, got ${p.days}`);
  if (!(p.noise >= 0 && p.noise <= 1)) throw new RangeError(`noise must be in [0, 1], got ${p.noise}`);
  if (!(p.tasteConcentration > 0)) throw new RangeError(`tasteConcentration must be positive, got ${p.tasteConcentration}`);
  return p;
}

export function generateLog(params: Partial<SynthParams> = {}): SynthLog {
  const p = resolveParams(params);
  const rng = new Random(p.seed);
  // Separate streams for the store and the shoppers: changing how many events are generated
  // must not change the catalog or the personas.
  const catalog = buildCatalog(new Random(p.seed ^ 0x00ca7a10), { items: p.items, categories: p.categories, missingBrand: p.missingBrand });
  const personas = makePersonas(new Random(p.seed ^ 0x9e250a5), p.segments, catalog.categories, p.noise);
  const itemTables = personaItemTables(catalog, personas);
  const anyItem = popularityTable(catalog);

  const userSegment = assignSegments(rng, p.users, personas);
  const userEvents = allocateEvents(rng, p.events, userSegment, personas);

  const n = p.events;
  const secs = new Uint32Array(n);
  const type = new Uint8Array(n);
  const user = new Int32Array(n);
  const session = new Int32Array(n);
  const item = new Int32Array(n);
  const sessionUserBuf = new Int32Array(Math.max(1, n));
  let out = 0;
  let sessions = 0;

  const nCat = catalog.categories.length;
  const alpha = new Float64Array(nCat);
  const taste = new Float64Array(nCat);
  const tasteCum = new Float64Array(nCat);
  const hourCum = new Float64Array(HOUR_WEIGHTS.length);
  HOUR_WEIGHTS.reduce((acc, w, h) => (hourCum[h] = acc + w), 0);
  const spanDays = Math.max(1, Math.floor(p.days));
  const lengths: number[] = [];
  const starts: number[] = [];
  const seen: number[] = [];

  for (let u = 0; u < p.users; u++) {
    let budget = userEvents[u];
    if (budget === 0) continue;
    const persona = personas[userSegment[u]];
    const table = itemTables[persona.id];
    for (let c = 0; c < nCat; c++) alpha[c] = p.tasteConcentration * persona.taste[c];
    rng.dirichlet(alpha, taste);
    taste.reduce((acc, w, c) => (tasteCum[c] = acc + w), 0);

    lengths.length = 0;
    while (budget > 0) {
      const len = Math.min(budget, 1 + rng.geometric(persona.sessionLengthMean - 1));
      lengths.push(len);
      budget -= len;
    }
    starts.length = 0;
    for (let k = 0; k < lengths.length; k++) {
      const hour = sampleCumulative(rng, hourCum);
      starts.push(rng.int(spanDays) * 86_400 + hour * 3600 + rng.int(3600));
    }
    starts.sort((a, b) => a - b);

    let prevEnd = -Infinity;
    for (let k = 0; k < lengths.length; k++) {
      const s = sessions++;
      sessionUserBuf[s] = u;
      let t = Math.max(starts[k], prevEnd + MIN_SESSION_GAP_SECONDS + Math.round(rng.exponential(3600)));
      const emit = (code: number, it: number): void => {
        secs[out] = t;
        type[out] = code;
        user[out] = u;
        session[out] = s;
        item[out] = it;
        out++;
      };
      let left = lengths[k];
      let cat = -1;
      seen.length = 0;
      while (left > 0) {
        let it: number;
        if (seen.length > 0 && rng.float() < REVISIT) {
          it = rng.pick(seen);
        } else if (rng.float() < persona.noise) {
          const c = rng.int(nCat);
          it = catalog.itemsOf[sampleCumulative(rng, anyItem, catalog.catStart[c], catalog.catStart[c + 1])];
          seen.push(it);
        } else {
          if (cat < 0 || rng.float() >= STAY_IN_CATEGORY) cat = sampleCumulative(rng, tasteCum);
          it = catalog.itemsOf[sampleCumulative(rng, table, catalog.catStart[cat], catalog.catStart[cat + 1])];
          seen.push(it);
        }
        prevEnd = t;
        emit(VIEW, it);
        left--;
        t += 1 + Math.round(rng.exponential(persona.dwellSeconds));
        if (left > 0 && rng.float() < persona.cartRate) {
          prevEnd = t;
          emit(CART, it);
          left--;
          t += 1 + Math.round(rng.exponential(CART_DWELL_SECONDS));
          if (left > 0 && rng.float() < persona.purchaseRate) {
            prevEnd = t;
            emit(PURCHASE, it);
            left--;
            t += 1 + Math.round(rng.exponential(PURCHASE_DWELL_SECONDS));
          }
        }
      }
    }
  }

  const order = stableOrder(secs);
  return {
    params: p,
    length: n,
    time: permute(order, (e) => p.startMs + secs[e] * 1000, Float64Array),
    type: permute(order, (e) => type[e], Uint8Array),
    user: permute(order, (e) => user[e], Int32Array),
    session: permute(order, (e) => session[e], Int32Array),
    item: permute(order, (e) => item[e], Int32Array),
    catalog,
    personas,
    userSegment,
    userEvents,
    sessionUser: sessionUserBuf.slice(0, sessions),
  };
}

function permute<T extends Float64Array | Int32Array | Uint8Array>(order: Int32Array, value: (e: number) => number, ctor: new (n: number) => T): T {
  const out = new ctor(order.length);
  for (let i = 0; i < order.length; i++) out[i] = value(order[i]);
  return out;
}

function assignSegments(rng: Random, users: number, personas: readonly Persona[]): Int32Array {
  const cum = new Float64Array(personas.length);
  personas.reduce((acc, q, k) => (cum[k] = acc + q.share), 0);
  const seg = new Int32Array(users);
  for (let u = 0; u < users; u++) seg[u] = sampleCumulative(rng, cum);
  return seg;
}

/**
 * Splits exactly `events` events over the users, in proportion to each user's expected activity
 * (a Poisson number of sessions times the persona's session length), after giving every user two
 * events when there are enough: a user with a single event makes no sequence.
 */
function allocateEvents(rng: Random, events: number, segment: Int32Array, personas: readonly Persona[]): Int32Array {
  const users = segment.length;
  const floor = events >= 2 * users ? 2 : events >= users ? 1 : 0;
  const weight = new Float64Array(users);
  let total = 0;
  for (let u = 0; u < users; u++) {
    const q = personas[segment[u]];
    total += weight[u] = (1 + rng.poisson(q.sessionsMean - 1)) * q.sessionLengthMean;
  }
  const rest = events - floor * users;
  const out = new Int32Array(users);
  // Cumulative rounding: the parts add up to `rest` exactly, with no sorting of remainders.
  let acc = 0;
  let given = 0;
  for (let u = 0; u < users; u++) {
    acc += weight[u];
    const upTo = Math.round((rest * acc) / total);
    out[u] = floor + upTo - given;
    given = upTo;
  }
  return out;
}
