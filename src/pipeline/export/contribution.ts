// How much one person can add to the counts of a noised export. Grouped by user, a person is one
// sequence. Grouped by session, one person can own many sequences, and the Laplace noise must be
// scaled to all of them: so when the log has user ids, each user's sessions in the counts are capped
// at `sessionsPerUser` (chosen at random among theirs) and the sensitivity is that many sequences'
// worth; when it has none (most sessions without a user), no person can be bounded, and the
// guarantee is stated per session instead (plainly: a person with many sessions gets less).

import type { EventTable } from '../ingest/table';
import type { Sequences } from '../sequences';

/** A source of uniform numbers in [0, 1) (privacy.ts: crypto-backed; tests: seeded). */
export type Uniform = () => number;

/** Default cap of sessions per user in noised counts: one session, the user mode's sensitivity. */
export const DEFAULT_SESSIONS_PER_USER = 1;

export interface ContributionBound {
  /** Whom neighbouring logs differ by: one user (all their rows), or one session where users are unknown. */
  unit: 'user' | 'session';
  /** Most sequences one unit adds to the counts. */
  sequencesPerUnit: number;
  /** The sequences counted, ascending. */
  keep: Int32Array;
  /** Sequences left out: a user's sessions beyond the cap; sessions without a user id (when most have one). */
  dropped: { overCap: number; noUser: number };
  /** How a sequence's person is known. */
  owners: 'each sequence is one user' | "sessions cut from each user's events" | "the user of the session's first event" | 'unknown';
}

/** Per sequence its user (index into table.users), or -1 when it has none. */
export function sequenceOwners(table: EventTable, seq: Sequences): Int32Array {
  const owner = new Int32Array(seq.count).fill(-1);
  for (let i = 0; i < seq.count; i++) {
    if (seq.by === 'user' || seq.part) owner[i] = seq.key[i];
    else if (table.hasUser && seq.offsets[i + 1] > seq.offsets[i]) owner[i] = table.user[seq.events[seq.offsets[i]]];
  }
  return owner;
}

function checkCap(cap: number): number {
  if (!Number.isInteger(cap) || cap < 1) throw new RangeError(`Sessions per user must be a whole number of at least 1 (got ${cap}).`);
  return cap;
}

/**
 * Which sequences a noised export may count, and what one unit can add. `among`: only these
 * sequences (a selection), else all. The cap's choice draws from `uniform`, per user independently.
 */
export function boundContributions(
  table: EventTable,
  seq: Sequences,
  opts: { sessionsPerUser?: number; uniform: Uniform; among?: Int32Array | null },
): ContributionBound {
  const candidates = opts.among ? Int32Array.from(opts.among).sort() : Int32Array.from({ length: seq.count }, (_, i) => i);
  if (seq.by === 'user') {
    return { unit: 'user', sequencesPerUnit: 1, keep: candidates, dropped: { overCap: 0, noUser: 0 }, owners: 'each sequence is one user' };
  }
  const cap = checkCap(opts.sessionsPerUser ?? DEFAULT_SESSIONS_PER_USER);
  const owner = sequenceOwners(table, seq);
  let withOwner = 0;
  for (const i of candidates) if (owner[i] >= 0) withOwner++;
  // Most sessions without a user id: no person can be bounded; the statement says per session.
  if (withOwner * 2 < candidates.length || withOwner === 0) {
    return { unit: 'session', sequencesPerUnit: 1, keep: candidates, dropped: { overCap: 0, noUser: 0 }, owners: 'unknown' };
  }
  // Group the candidates by owner (counting sort), then keep at most `cap` per owner at random.
  const users = table.users.length;
  const start = new Int32Array(users + 1);
  for (const i of candidates) if (owner[i] >= 0) start[owner[i] + 1]++;
  for (let u = 0; u < users; u++) start[u + 1] += start[u];
  const cursor = start.slice(0, users);
  const grouped = new Int32Array(withOwner);
  for (const i of candidates) if (owner[i] >= 0) grouped[cursor[owner[i]]++] = i;
  const keep: number[] = [];
  let overCap = 0;
  for (let u = 0; u < users; u++) {
    const lo = start[u];
    const n = start[u + 1] - lo;
    if (n <= cap) {
      for (let j = lo; j < lo + n; j++) keep.push(grouped[j]);
      continue;
    }
    // Partial Fisher-Yates: the first `cap` places get a uniform choice without replacement.
    const mine = grouped.subarray(lo, lo + n);
    for (let j = 0; j < cap; j++) {
      const r = j + Math.min(n - j - 1, Math.floor(opts.uniform() * (n - j)));
      const t = mine[j];
      mine[j] = mine[r];
      mine[r] = t;
      keep.push(mine[j]);
    }
    overCap += n - cap;
  }
  return {
    unit: 'user',
    sequencesPerUnit: cap,
    keep: Int32Array.from(keep).sort(),
    dropped: { overCap, noUser: candidates.length - withOwner },
    owners: seq.part ? "sessions cut from each user's events" : "the user of the session's first event",
  };
}

export { narrowSequences } from '../sequences';
