// Turns the event table into behaviour sequences: one per user or per session, in time order,
// with rapid duplicates collapsed and the noise filters applied. Output is CSR over event indices
// (offsets + events), so later stages walk sequences without any per-event objects.

import { CART, PURCHASE, RETURN } from './ingest/eventTypes';
import type { EventTable } from './ingest/table';
import { RejectLog } from './ingest/rejects';
import type { SequenceOptions } from './types';

export interface Sequences {
  by: 'user' | 'session';
  count: number;
  /** Per sequence: user index (by user, or derived sessions) or session index. */
  key: Int32Array;
  /** Derived sessions only (no session column): 1-based ordinal of the session within its user. */
  part: Int32Array | null;
  /** Sequence i holds events[offsets[i] .. offsets[i+1]). */
  offsets: Int32Array;
  events: Int32Array;
  /** Rows that cannot be grouped this way (e.g. no user id when grouping by user). */
  groupRejects: RejectLog;
  /** Rows that had the grouping key. */
  grouped: number;
  /** Distinct sessions: the session column's, or those derived from time gaps; null if unknown. */
  sessionCount: number | null;
  filtered: { tooShort: number; abnormalVolume: number; duplicatesCollapsed: number; eventsDropped: number };
  /**
   * The sequences the length filters left out, as CSR over event indices like the kept ones, with
   * why: SHORT (fewer events than the minimum: customers with too little history yet, who still
   * get a group of their own in profiles and exports) or BOT (browsing at a rate or volume no
   * person reaches; see isBot). Never empty of meaning: every left-out sequence is here.
   */
  left: LeftSequences;
}

/** Why a sequence was left out of the clustered ones. */
export const SHORT = 1;
export const BOT = 2;

export interface LeftSequences {
  count: number;
  key: Int32Array;
  part: Int32Array | null;
  offsets: Int32Array;
  events: Int32Array;
  /** SHORT or BOT, per left-out sequence. */
  reason: Uint8Array;
  /** Browsing events (views, clicks, other non-purchase types) of each left-out sequence. */
  browse: Int32Array;
}

/**
 * Bot rule: a sequence is a bot when its browsing (every event but cart, purchase and return) is
 * more than `maxLength` events, or when at least BOT_MIN_BROWSE browsing events come faster than a
 * person clicks: more than half of the gaps between consecutive ones under BOT_FAST_GAP_MS (the
 * median gap under a second). Purchases never count: a wholesale customer with thousands of order
 * lines is a customer, not a bot.
 */
export const BOT_MIN_BROWSE = 50;
export const BOT_FAST_GAP_MS = 1000;

const isBrowse = (type: number): boolean => type !== CART && type !== PURCHASE && type !== RETURN;

/** 'volume' (more browsing events than maxLength), 'rate' (inhumanly fast browsing) or null. One pass, no allocation. */
export function botReason(table: EventTable, events: Int32Array, maxLength: number): 'volume' | 'rate' | null {
  if (maxLength <= 0) return null;
  const { type, time } = table;
  let browse = 0;
  let fast = 0;
  let prev = Number.NaN;
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    if (!isBrowse(type[e])) continue;
    browse++;
    const t = time[e];
    if (t - prev < BOT_FAST_GAP_MS) fast++;
    prev = t;
  }
  if (browse > maxLength) return 'volume';
  return browse >= BOT_MIN_BROWSE && table.hasTime && fast * 2 > browse - 1 ? 'rate' : null;
}

/** Stable counting sort of events by group key; returns CSR (groupStart, order). */
function groupBy(keys: Int32Array, groups: number, take: Uint8Array): { start: Int32Array; order: Int32Array } {
  const start = new Int32Array(groups + 1);
  const n = keys.length;
  let kept = 0;
  for (let e = 0; e < n; e++) {
    if (take[e]) {
      start[keys[e] + 1]++;
      kept++;
    }
  }
  for (let g = 0; g < groups; g++) start[g + 1] += start[g];
  const cursor = start.slice(0, groups);
  const order = new Int32Array(kept);
  for (let e = 0; e < n; e++) if (take[e]) order[cursor[keys[e]]++] = e;
  return { start, order };
}

/** Sorts each group's events by time (ties keep file order); most logs are sorted already. */
function sortGroupsByTime(order: Int32Array, start: Int32Array, time: Float64Array): void {
  const byTime = (a: number, b: number): number => time[a] - time[b] || a - b;
  for (let g = 0; g + 1 < start.length; g++) {
    const lo = start[g];
    const hi = start[g + 1];
    let sorted = true;
    for (let i = lo + 1; i < hi; i++) {
      if (time[order[i]] < time[order[i - 1]]) {
        sorted = false;
        break;
      }
    }
    if (!sorted) order.subarray(lo, hi).sort(byTime);
  }
}

export function buildSequences(table: EventTable, opts: SequenceOptions): Sequences {
  const n = table.length;
  const groupRejects = new RejectLog();
  const useSessionColumn = opts.by === 'session' && table.hasSession;
  const keys = useSessionColumn ? table.session : table.user;
  const groups = useSessionColumn ? table.sessions.length : table.users.length;
  const take = new Uint8Array(n);
  let grouped = 0;
  const reason = useSessionColumn ? 'missing session id' : 'missing user id';
  for (let e = 0; e < n; e++) {
    if (keys[e] >= 0) {
      take[e] = 1;
      grouped++;
    } else {
      groupRejects.add(reason, table.line[e]);
    }
  }

  const { start, order } = groupBy(keys, groups, take);
  if (table.hasTime) sortGroupsByTime(order, start, table.time);

  // Sequence boundaries: the groups themselves, or (sessions without a session column) cut at gaps.
  const derive = opts.by === 'session' && !useSessionColumn;
  const gapMs = opts.sessionGapMinutes * 60_000;
  const cuts: number[] = [];
  const cutKey: number[] = [];
  const cutPart: number[] = [];
  let derivedSessions = 0;
  for (let g = 0; g < groups; g++) {
    const lo = start[g];
    const hi = start[g + 1];
    if (lo === hi) continue;
    let part = 1;
    if (derive || table.hasTime) {
      // Count (and, when grouping by session, cut at) gaps longer than the session gap.
      let segStart = lo;
      for (let i = lo + 1; i <= hi; i++) {
        const gap = i < hi ? table.time[order[i]] - table.time[order[i - 1]] : Infinity;
        if (i === hi || gap > gapMs) {
          if (derive) {
            cuts.push(segStart);
            cutKey.push(g);
            cutPart.push(part);
          }
          derivedSessions++;
          part++;
          segStart = i;
        }
      }
    }
    if (!derive) {
      cuts.push(lo);
      cutKey.push(g);
      cutPart.push(1);
    }
  }
  cuts.push(order.length);

  // Collapse rapid duplicates and apply the length filters, compacting into `events`.
  const dedupeMs = opts.dedupeSeconds * 1000;
  const events = new Int32Array(order.length);
  const offsets: number[] = [0];
  const key: number[] = [];
  const part: number[] = [];
  const filtered = { tooShort: 0, abnormalVolume: 0, duplicatesCollapsed: 0, eventsDropped: 0 };
  const leftOffsets: number[] = [0];
  const leftEvents: number[] = [];
  const leftKey: number[] = [];
  const leftPart: number[] = [];
  const leftReason: number[] = [];
  const leftBrowse: number[] = [];
  let out = 0;
  for (let s = 0; s + 1 < cuts.length; s++) {
    const lo = cuts[s];
    const hi = cuts[s + 1];
    const begin = out;
    let prev = -1;
    for (let i = lo; i < hi; i++) {
      const e = order[i];
      if (prev >= 0 && dedupeMs > 0 && table.item[e] === table.item[prev] && table.type[e] === table.type[prev]) {
        const dt = table.time[e] - table.time[prev];
        // Without timestamps (NaN) only back-to-back repeats can be told apart: treat them as rapid.
        if (!(dt > dedupeMs)) {
          filtered.duplicatesCollapsed++;
          continue;
        }
      }
      events[out++] = e;
      prev = e;
    }
    const len = out - begin;
    const why = len < opts.minLength ? SHORT : botReason(table, events.subarray(begin, out), opts.maxLength) ? BOT : 0;
    if (why !== 0) {
      if (why === SHORT) filtered.tooShort++;
      else filtered.abnormalVolume++;
      filtered.eventsDropped += len;
      let browse = 0;
      for (let i = begin; i < out; i++) {
        leftEvents.push(events[i]);
        if (isBrowse(table.type[events[i]])) browse++;
      }
      leftOffsets.push(leftEvents.length);
      leftKey.push(cutKey[s]);
      leftPart.push(cutPart[s]);
      leftReason.push(why);
      leftBrowse.push(browse);
      out = begin;
    } else {
      offsets.push(out);
      key.push(cutKey[s]);
      part.push(cutPart[s]);
    }
  }

  let sessionCount: number | null = null;
  if (table.hasSession) sessionCount = table.sessions.length;
  else if (table.hasTime && (derive || table.hasUser)) sessionCount = derivedSessions;

  return {
    by: opts.by,
    count: key.length,
    key: Int32Array.from(key),
    part: derive ? Int32Array.from(part) : null,
    offsets: Int32Array.from(offsets),
    events: events.slice(0, out),
    groupRejects,
    grouped,
    sessionCount,
    filtered,
    left: {
      count: leftKey.length,
      key: Int32Array.from(leftKey),
      part: derive ? Int32Array.from(leftPart) : null,
      offsets: Int32Array.from(leftOffsets),
      events: Int32Array.from(leftEvents),
      reason: Uint8Array.from(leftReason),
      browse: Int32Array.from(leftBrowse),
    },
  };
}

/**
 * The left-out sequences with reason `why` as sequences of their own (sharing the table; nothing
 * left out of them), e.g. the customers with too little history yet for their profile and lists.
 */
export function leftSequences(seq: Sequences, why: number): Sequences {
  const l = seq.left;
  const pick: number[] = [];
  for (let i = 0; i < l.count; i++) if (l.reason[i] === why) pick.push(i);
  const offsets = new Int32Array(pick.length + 1);
  let total = 0;
  for (let j = 0; j < pick.length; j++) total += l.offsets[pick[j] + 1] - l.offsets[pick[j]];
  const events = new Int32Array(total);
  let at = 0;
  for (let j = 0; j < pick.length; j++) {
    const i = pick[j];
    events.set(l.events.subarray(l.offsets[i], l.offsets[i + 1]), at);
    at += l.offsets[i + 1] - l.offsets[i];
    offsets[j + 1] = at;
  }
  return {
    ...seq,
    count: pick.length,
    key: Int32Array.from(pick, (i) => l.key[i]),
    part: l.part ? Int32Array.from(pick, (i) => l.part![i]) : null,
    offsets,
    events,
    left: {
      count: 0,
      key: new Int32Array(0),
      part: null,
      offsets: new Int32Array(1),
      events: new Int32Array(0),
      reason: new Uint8Array(0),
      browse: new Int32Array(0),
    },
  };
}

/**
 * The sequences narrowed to `keep` (ascending indices), sharing the table: a CSR of their events.
 * Used where a stage runs on a subset (the privacy bound's kept sessions, the map's selection).
 */
export function narrowSequences(seq: Sequences, keep: Int32Array): Sequences {
  const count = keep.length;
  const offsets = new Int32Array(count + 1);
  let total = 0;
  for (let j = 0; j < count; j++) total += seq.offsets[keep[j] + 1] - seq.offsets[keep[j]];
  const events = new Int32Array(total);
  const key = new Int32Array(count);
  const part = seq.part ? new Int32Array(count) : null;
  let at = 0;
  for (let j = 0; j < count; j++) {
    const s = keep[j];
    events.set(seq.events.subarray(seq.offsets[s], seq.offsets[s + 1]), at);
    at += seq.offsets[s + 1] - seq.offsets[s];
    offsets[j + 1] = at;
    key[j] = seq.key[s];
    if (part && seq.part) part[j] = seq.part[s];
  }
  return { ...seq, count, offsets, events, key, part };
}

/** A human-readable id of sequence i (user id, session id, or "user #2" for derived sessions). */
export function sequenceLabel(table: EventTable, seq: Sequences, i: number): string {
  const k = seq.key[i];
  if (seq.part) return `${table.users[k]} #${seq.part[i]}`;
  return seq.by === 'session' && table.hasSession ? table.sessions[k] : table.users[k];
}
