// Builds the analysis report from the ingested table and the sequences: counts, distributions
// and every rejected row by reason. Pure: no I/O, no clocks.

import type { Ingested } from './ingest/ingest';
import { NO_CURRENCY } from './ingest/currency';
import { eventAmount } from './profile/money';
import { BOT, botReason, sequenceLabel, type Sequences } from './sequences';
import type { AnalysisReport, DroppedSequence, LengthStats, RejectAdvice, SequenceOptions } from './types';
import type { EventTable } from './ingest/table';
import { inTimeRange } from './ingest/timestamp';

/** Histogram bin edges for sequence lengths: fine for short sequences, coarse for long ones. */
const LENGTH_EDGES = [1, 2, 3, 4, 5, 6, 8, 11, 16, 21, 31, 51, 101, 201, 501, 1001, 2001, 5001, 10001];

export function lengthStats(lengths: Int32Array): LengthStats {
  if (lengths.length === 0) return { min: 0, median: 0, p90: 0, max: 0, mean: 0 };
  const sorted = lengths.slice().sort();
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1) + 0.5))];
  let sum = 0;
  for (let i = 0; i < sorted.length; i++) sum += sorted[i];
  // Median as the usual midpoint of the two middle values for even counts.
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { min: sorted[0], median, p90: at(0.9), max: sorted[sorted.length - 1], mean: sum / sorted.length };
}

export function lengthHistogram(lengths: Int32Array): { edges: number[]; counts: number[] } {
  let max = 0;
  for (let i = 0; i < lengths.length; i++) if (lengths[i] > max) max = lengths[i];
  const edges = LENGTH_EDGES.filter((e) => e <= max);
  edges.push(max + 1);
  const counts = new Array<number>(edges.length - 1).fill(0);
  for (let i = 0; i < lengths.length; i++) {
    const v = lengths[i];
    let b = 0;
    while (b + 1 < edges.length - 1 && v >= edges[b + 1]) b++;
    counts[b]++;
  }
  return { edges, counts };
}

export function summarize(
  ing: Ingested,
  seq: Sequences,
  options: SequenceOptions,
  fileName: string,
  totalBytes: number | null,
  sequencesMs: number,
): AnalysisReport {
  const t = ing.table;
  const rejects = ing.rejects.merge(seq.groupRejects);
  const lengths = new Int32Array(seq.count);
  for (let i = 0; i < seq.count; i++) lengths[i] = seq.offsets[i + 1] - seq.offsets[i];

  const typeCounts = new Float64Array(t.typeNames.length);
  for (let i = 0; i < seq.events.length; i++) typeCounts[t.type[seq.events[i]]]++;
  const byType: Record<string, number> = {};
  t.typeNames.forEach((name, code) => {
    if (typeCounts[code] > 0) byType[name] = typeCounts[code];
  });

  let start = Infinity;
  let end = -Infinity;
  if (t.hasTime) {
    for (let i = 0; i < t.length; i++) {
      const v = t.time[i];
      if (v < start) start = v;
      if (v > end) end = v;
    }
  }
  // The reader refuses times out of range; a table built otherwise must still not throw here.
  const iso = (v: number): string | null => (inTimeRange(v) ? new Date(v).toISOString() : null);
  const accepted = acceptedCounts(t, options);

  const warnings = [...ing.warnings];
  if (options.by === 'session' && !t.hasSession) {
    warnings.push(
      t.hasTime
        ? `The log has no session column: sessions were derived from gaps of more than ${options.sessionGapMinutes} minutes between a user's events.`
        : 'The log has neither a session column nor timestamps: each user is treated as one session.',
    );
  }
  if (options.by === 'user' && !t.hasUser) warnings.push('The log has no user column, so it cannot be grouped by user: group by session instead.');
  if (accepted.itemsOnlyRejected > 0) {
    warnings.push(
      `${accepted.itemsOnlyRejected.toLocaleString('en')} items appear only in rejected rows: they are not counted among the ${accepted.items.toLocaleString('en')} items.`,
    );
  }
  if (seq.count === 0 && t.length > 0) warnings.push('No sequence passed the filters: lower the minimum sequence length or raise the bot limit.');

  const d = ing.detection;
  return {
    file: { name: fileName, bytes: totalBytes, format: d.format, gzip: d.gzip, ...(d.delimiter ? { delimiter: d.delimiter } : {}) },
    detection: d,
    input: { rows: ing.rows, accepted: ing.rows - rejects.total, rejected: withAdvice(rejects.summary(), t, options) },
    events: { total: seq.events.length, byType },
    sequences: {
      by: options.by,
      count: seq.count,
      lengths: lengthStats(lengths),
      histogram: lengthHistogram(lengths),
      filtered: { ...seq.filtered },
      dropped: droppedList(t, seq, options),
    },
    users: accepted.users,
    sessions: seq.sessionCount ?? 0,
    items: accepted.items,
    itemsOnlyInRejectedRows: accepted.itemsOnlyRejected,
    timeSpan: { start: iso(start), end: iso(end) },
    currency: d.currency ?? NO_CURRENCY,
    options: { ...options },
    warnings,
    timings: { readMs: Math.round(ing.readMs), sequencesMs: Math.round(sequencesMs), readThreads: ing.readThreads },
  };
}

/** At most this many left-out bots are listed by name in the report (all are counted). */
export const MAX_DROPPED_LISTED = 100;

function droppedList(t: EventTable, seq: Sequences, options: SequenceOptions): DroppedSequence[] {
  const l = seq.left;
  const out: DroppedSequence[] = [];
  for (let i = 0; i < l.count && out.length < MAX_DROPPED_LISTED; i++) {
    if (l.reason[i] !== BOT) continue;
    const events = l.events.subarray(l.offsets[i], l.offsets[i + 1]);
    const why = botReason(t, events, options.maxLength);
    const id = sequenceLabel(t, { ...seq, key: l.key, part: l.part }, i);
    out.push({
      id,
      events: events.length,
      browse: l.browse[i],
      reason:
        why === 'rate'
          ? 'bot: views and clicks faster than a person browses (median gap under 1 second)'
          : `bot: more than ${options.maxLength.toLocaleString('en')} views and clicks`,
    });
  }
  return out;
}

/**
 * The rejected rows explained where the cause is known: rows without the grouping key. Their
 * purchases (still in the table) are summed, so that the report can say how much revenue the
 * segments leave out.
 */
function withAdvice(r: AnalysisReport['input']['rejected'], t: EventTable, options: SequenceOptions): AnalysisReport['input']['rejected'] {
  const advice: Record<string, RejectAdvice> = {};
  const bySession = options.by === 'session' && t.hasSession;
  const keys = bySession ? t.session : t.user;
  let revenue = 0;
  if (t.hasPrice) for (let e = 0; e < t.length; e++) if (keys[e] < 0) revenue += eventAmount(t, e);
  const amount = t.hasPrice ? revenue : null;
  if (r.reasons['missing user id']) {
    advice['missing user id'] = {
      cause: t.hasSession
        ? 'Rows without a customer id are usually guest orders (checkout without an account) or orders taken offline.'
        : 'Rows without a customer id are usually guest orders (checkout without an account) or anonymous visits.',
      effect:
        'They are in no segment: customer counts, revenue, orders and recommendations leave them out' +
        (amount !== null && amount !== 0 ? ` (about ${Math.round(amount).toLocaleString('en')} of revenue).` : '.'),
      keep: t.hasSession
        ? 'To keep them, group by session instead: each invoice or visit is then one shopper of its own.'
        : t.hasTime
          ? 'To keep them, the log needs a session or invoice column: group by session then makes each order one shopper of its own.'
          : null,
      revenue: amount,
    };
  }
  if (r.reasons['missing session id']) {
    advice['missing session id'] = {
      cause: 'Rows without a session id are usually events logged outside a visit (server-side orders, imports).',
      effect:
        'They are in no session when grouping by session: counts and revenue leave them out' +
        (amount !== null && amount !== 0 ? ` (about ${Math.round(amount).toLocaleString('en')} of revenue).` : '.'),
      keep: t.hasUser ? 'To keep them, group by customer instead: each customer with all their events.' : null,
      revenue: amount,
    };
  }
  return Object.keys(advice).length > 0 ? { ...r, advice } : r;
}

/**
 * Distinct users and items of the accepted rows: those the grouping keeps (a row without the
 * grouping key is rejected there, but its user or item is already in the table's dictionaries),
 * and the items that only rejected rows had.
 */
function acceptedCounts(t: EventTable, options: SequenceOptions): { users: number; items: number; itemsOnlyRejected: number } {
  const keys = options.by === 'session' && t.hasSession ? t.session : t.user;
  const item = new Uint8Array(t.items.length);
  const user = new Uint8Array(t.users.length);
  let items = 0;
  let users = 0;
  for (let e = 0; e < t.length; e++) {
    const i = t.item[e];
    if (keys[e] < 0) {
      if (item[i] === 0) item[i] = 2;
      continue;
    }
    if (item[i] !== 1) {
      item[i] = 1;
      items++;
    }
    const u = t.user[e];
    if (u >= 0 && user[u] === 0) {
      user[u] = 1;
      users++;
    }
  }
  let itemsOnlyRejected = 0;
  for (let i = 0; i < item.length; i++) if (item[i] === 2) itemsOnlyRejected++;
  return { users, items, itemsOnlyRejected };
}
