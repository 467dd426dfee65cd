// Privacy for shared exports: pseudonymous user ids (a keyed hash, so ids cannot be reversed or
// recomputed without this browser's secret) and Laplace noise on the counts of cluster profiles
// (epsilon-differential privacy for the published counts). Pure functions over explicit inputs: the
// secret and the random source are handed in, so tests pin them and the worker supplies a stored
// key and crypto-quality randomness.

import type { EventTable } from '../ingest/table';
import { profileClusters, type ProfileOptions } from '../profile/profile';
import type { ClusterProfile, ClusterProfiles, GroupStats, RankedItem, RankedName } from '../profile/types';
import type { Sequences } from '../sequences';
import { boundContributions, narrowSequences, type ContributionBound, type Uniform } from './contribution';

// ---- pseudonyms ----

export const PSEUDONYM_PREFIX = 'u_';
/** Hex characters kept of the HMAC: 64 bits, so a collision among a million ids has odds of about 3e-8. */
export const PSEUDONYM_HEX = 16;
/** Bytes of a pseudonymisation secret (HMAC-SHA256 key). */
export const PSEUDONYM_SECRET_BYTES = 32;

/** A fresh random secret for pseudonyms (crypto.getRandomValues: workers, pages and Node 20 have it). */
export function newPseudonymSecret(): Uint8Array<ArrayBuffer> {
  return crypto.getRandomValues(new Uint8Array(PSEUDONYM_SECRET_BYTES));
}

/** HMAC-SHA256 key of a secret, for pseudonymsOf; not extractable. */
export function pseudonymKey(secret: Uint8Array): Promise<CryptoKey> {
  if (secret.length < 16) throw new RangeError(`A pseudonymisation secret needs at least 16 bytes, not ${secret.length}.`);
  // A copy on a plain ArrayBuffer: importKey takes no view of a SharedArrayBuffer.
  return crypto.subtle.importKey('raw', new Uint8Array(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
}

const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/**
 * id -> 'u_' + the first 16 hex characters of HMAC-SHA256(secret, UTF-8 id), for each distinct id.
 * Async (crypto.subtle); the export functions then look names up synchronously.
 */
export async function pseudonymsOf(ids: Iterable<string>, key: CryptoKey): Promise<Map<string, string>> {
  const distinct = [...new Set(ids)];
  const out = new Map<string, string>();
  const utf8 = new TextEncoder();
  // In slices, so that a million ids do not queue a million signatures at once.
  const SLICE = 4096;
  for (let at = 0; at < distinct.length; at += SLICE) {
    const part = distinct.slice(at, at + SLICE);
    const sigs = await Promise.all(part.map((id) => crypto.subtle.sign('HMAC', key, utf8.encode(id))));
    for (let j = 0; j < part.length; j++) {
      const bytes = new Uint8Array(sigs[j], 0, PSEUDONYM_HEX / 2);
      let hex = PSEUDONYM_PREFIX;
      for (const b of bytes) hex += HEX[b];
      out.set(part[j], hex);
    }
  }
  return out;
}

/** The synchronous lookup the export tables take; an id that was not hashed is a programming error. */
export function pseudonymLookup(map: ReadonlyMap<string, string>): (id: string) => string {
  return (id) => {
    const p = map.get(id);
    if (p === undefined) throw new RangeError('An id without a pseudonym reached the export.');
    return p;
  };
}

// ---- Laplace noise ----

/** A uniform draw in [0, 1). */
// Defined in contribution.ts (which samples with it) so that the two modules do not import each other.
export type { Uniform } from './contribution';

/** Uniform draws from crypto.getRandomValues (53 random bits each), refilled in blocks. */
export function cryptoUniform(): Uniform {
  const block = new Uint32Array(1024);
  let at = block.length;
  return () => {
    if (at + 2 > block.length) {
      crypto.getRandomValues(block);
      at = 0;
    }
    const hi = block[at++] >>> 5; // 27 bits
    const lo = block[at++] >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  };
}

/** One draw of Laplace(0, scale) by inverse CDF: -scale * sign(u) * ln(1 - 2|u|), u uniform in (-1/2, 1/2). */
export function laplace(scale: number, uniform: Uniform): number {
  let u = uniform() - 0.5;
  // u = -0.5 would give ln(0); redraw (probability 2^-53).
  while (u === -0.5) u = uniform() - 0.5;
  return -scale * Math.sign(u) * Math.log(1 - 2 * Math.abs(u));
}

/** What a noised export says about itself (profiles.json "privacy"; one CSV column). */
export interface PrivacyStatement {
  mechanism: 'laplace';
  /** The privacy budget of the whole file, as chosen; smaller = more private. */
  epsilon: number;
  /**
   * Neighbouring logs: one user's rows added or removed ('add or remove one user'), or, where the
   * log has no user ids to bound a person by, one session's ('add or remove one session').
   */
  neighbours: 'add or remove one user' | 'add or remove one session';
  /** Whom the guarantee protects: a user, or only a session (then a person with n sessions gets n * epsilon). */
  unit: 'user' | 'session';
  /** Most sequences one unit adds to the counts (sessions per user, capped; 1 by user). */
  sequencesPerUnit: number;
  /** Sequences in the data that the noised counts leave out (a user's sessions beyond the cap; sessions without a user id). */
  sequencesLeftOut: { overCap: number; noUser: number };
  /**
   * L1 sensitivity of all the noised counts together: the most one unit can change them by, summed
   * (see noisyProfiles). Every count gets Laplace(sensitivity / epsilon) noise.
   */
  sensitivity: number;
  /** What the guarantee covers, and what it does not. */
  covers: string;
  /** Per count, how much one user can change it. */
  perCount: Record<string, number>;
  /** The Laplace scale b = sensitivity / epsilon (the noise's standard deviation is b * sqrt(2)). */
  scale: number;
  noised: string[];
  /** Left out of the file (null), because one user's contribution to them has no useful bound. */
  omitted: string[];
  /** Computed from the noised counts only (post-processing costs no privacy). */
  derived: string[];
  note: string;
}

export interface NoiseOptions {
  /** The budget for the whole file; > 0 and finite. */
  epsilon: number;
  uniform: Uniform;
  /**
   * Most names a top list can hold (the profile stage's `top`, 10 by default). The sensitivity
   * counts this many entries per list, not the lengths found, so that it does not depend on the data.
   */
  topLimit?: number;
  /** Who a neighbour differs by and how many sequences each adds (boundContributions); default: one user, one sequence. */
  contribution?: Pick<ContributionBound, 'unit' | 'sequencesPerUnit' | 'dropped'>;
}

export class PrivacyOptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PrivacyOptionError';
  }
}

export function checkEpsilon(epsilon: unknown): number {
  if (typeof epsilon !== 'number' || !Number.isFinite(epsilon) || epsilon <= 0) {
    throw new PrivacyOptionError(`Epsilon must be a number above 0 (got ${String(epsilon)}); 1 is a common choice, smaller is more private.`);
  }
  return epsilon;
}

const DEFAULT_TOP = 10;
/** The per-user counts of one cluster, each changed by at most 1 when a user comes or goes. */
const BLOCK_COUNTS = ['size', 'viewers', 'carters', 'buyers', 'returners'] as const;

/**
 * The profiles with Laplace noise on every count, and what was done (the statement to publish).
 *
 * Model: a user is in exactly one cluster. Adding or removing that user changes, in that cluster
 * only, size, viewers, carters, buyers and returners by at most 1 each, and the `users` of each
 * top-list entry by at most 1 (at most topLimit entries per list, three lists). So the L1
 * sensitivity of all noised counts together is 5 + 3 * topLimit, and Laplace(sensitivity/epsilon)
 * noise on each count makes the set of counts epsilon-differentially private (Laplace mechanism).
 *
 * Omitted (null): events, sequence lengths, revenue, orders, AOV and revenue per user, because one
 * user's events, spend or orders are unbounded (a clamp to maxLength events would still give a
 * sensitivity in the thousands, i.e. noise that drowns the numbers), and lift (it needs the
 * un-noised overall counts). Derived from the noised counts: share, funnel rates (as ratios of
 * noised user counts, clamped to 0..1), the overall block (sums over clusters) and `users`.
 * Not protected: which names appear in the top lists, the cluster labels and the terms: they are
 * read from the data unnoised, and the note says so.
 */
export function noisyProfiles(p: ClusterProfiles, opts: NoiseOptions): { profiles: ClusterProfiles; privacy: PrivacyStatement } {
  const epsilon = checkEpsilon(opts.epsilon);
  const topLimit = Math.max(opts.topLimit ?? DEFAULT_TOP, ...p.clusters.map((c) => Math.max(c.topCategories.length, c.topBrands.length, c.topItems.length)));
  const unit = opts.contribution ?? { unit: 'user', sequencesPerUnit: 1, dropped: { overCap: 0, noUser: 0 } };
  const perSequence = BLOCK_COUNTS.length + 3 * topLimit;
  const sensitivity = unit.sequencesPerUnit * perSequence;
  const scale = sensitivity / epsilon;
  const noisy = (count: number): number => Math.max(0, Math.round(count + laplace(scale, opts.uniform)));

  const clusters: ClusterProfile[] = p.clusters.map((c) => {
    const size = noisy(c.size);
    // Post-processing: a funnel step cannot hold more users than the cluster.
    const step = (n: number): number => Math.min(size, noisy(n));
    const viewers = step(c.funnel.viewers);
    const carters = step(c.funnel.carters);
    const buyers = step(c.funnel.buyers);
    const returners = step(c.funnel.returners);
    const shareIn = (users: number): number => (size > 0 ? users / size : NaN);
    const name = (x: RankedName): RankedName => {
      const users = step(x.users);
      return { name: x.name, users, share: shareIn(users), lift: NaN };
    };
    const item = (x: RankedItem): RankedItem => {
      const users = step(x.users);
      return { ...x, users, share: shareIn(users), lift: NaN };
    };
    return {
      ...omitted(),
      cluster: c.cluster,
      label: c.label,
      terms: c.terms,
      size,
      share: NaN, // set below, once the total is known
      funnel: {
        viewers,
        carters,
        buyers,
        returners,
        viewToCart: rate(carters, viewers),
        cartToPurchase: rate(buyers, carters),
        viewToPurchase: rate(buyers, viewers),
      },
      topCategories: c.topCategories.map(name),
      topBrands: c.topBrands.map(name),
      topItems: c.topItems.map(item),
    };
  });
  const sum = (f: (c: ClusterProfile) => number): number => clusters.reduce((s, c) => s + f(c), 0);
  const users = sum((c) => c.size);
  for (const c of clusters) c.share = users > 0 ? c.size / users : NaN;
  const ov = {
    viewers: sum((c) => c.funnel.viewers),
    carters: sum((c) => c.funnel.carters),
    buyers: sum((c) => c.funnel.buyers),
    returners: sum((c) => c.funnel.returners),
  };
  const overall: GroupStats = {
    ...omitted(),
    size: users,
    share: users > 0 ? 1 : NaN,
    funnel: { ...ov, viewToCart: rate(ov.carters, ov.viewers), cartToPurchase: rate(ov.buyers, ov.carters), viewToPurchase: rate(ov.buyers, ov.viewers) },
    // Overall top lists would need counts across clusters that were not noised: left empty.
    topCategories: [],
    topBrands: [],
    topItems: [],
  };
  const privacy: PrivacyStatement = {
    mechanism: 'laplace',
    epsilon,
    neighbours: unit.unit === 'user' ? 'add or remove one user' : 'add or remove one session',
    unit: unit.unit,
    sequencesPerUnit: unit.sequencesPerUnit,
    sequencesLeftOut: { ...unit.dropped },
    sensitivity,
    covers: coverage(unit),
    perCount: {
      size: 1,
      viewers: 1,
      carters: 1,
      buyers: 1,
      returners: 1,
      'top list users (each entry)': 1,
      [`top list entries a sequence can change (3 lists x ${topLimit})`]: 3 * topLimit,
      ...(unit.sequencesPerUnit > 1 ? { [`sequences per ${unit.unit} (each counted as above)`]: unit.sequencesPerUnit } : {}),
    },
    scale,
    noised: ['size', 'funnel.viewers', 'funnel.carters', 'funnel.buyers', 'funnel.returners', 'topCategories.users', 'topBrands.users', 'topItems.users'],
    omitted: ['events', 'length', 'revenue', 'orders', 'aov', 'revenuePerUser', 'lift', 'overall top lists'],
    derived: ['users', 'share', 'funnel rates', 'overall counts (sums over clusters)'],
    note:
      `Counts carry Laplace noise of scale ${fmt(scale)} (sensitivity ${sensitivity} / epsilon ${fmt(epsilon)}), rounded and clamped to 0 and the cluster size, ` +
      `so each is off by about ${fmt(scale * Math.SQRT2)} (one standard deviation). Events, lengths, revenue and orders are omitted: ` +
      'one user can change them without bound. Cluster labels, terms and the names in the top lists come from the data unnoised and are not protected. ' +
      'The guarantee is for the counts given the clustering: k-means itself is not made private, and removing one user can move others between clusters.',
  };
  return { profiles: { ...p, users, overall, clusters }, privacy };
}

/** The plain statement of what epsilon protects, for the file. */
function coverage(u: Pick<ContributionBound, 'unit' | 'sequencesPerUnit' | 'dropped'>): string {
  const given =
    'It covers the noised counts given the clustering: which cluster each sequence falls in, the cluster labels and terms, and which names ' +
    'the top lists show are computed from the exact data and are not protected; k-means itself is not private.';
  if (u.unit === 'session') {
    return (
      'Per session, not per person: the log has no user ids to bound a person by, so epsilon holds for one session added or removed; ' +
      `a person with n sessions in the log is protected only with n * epsilon. ${given}`
    );
  }
  if (u.sequencesPerUnit === 1 && u.dropped.overCap === 0 && u.dropped.noUser === 0)
    return `Per user: epsilon holds for one user's rows added or removed. ${given}`;
  const left = u.dropped.overCap + u.dropped.noUser;
  return (
    `Per user: each user adds at most ${u.sequencesPerUnit} ${u.sequencesPerUnit === 1 ? 'session' : 'sessions'} to the counts (chosen at random), ` +
    `and the noise is scaled to that many, so epsilon holds for one user's rows added or removed` +
    (left > 0 ? `; ${left} sessions are left out of the counts (${u.dropped.overCap} beyond the cap, ${u.dropped.noUser} without a user id).` : '.') +
    ` ${given}`
  );
}

/**
 * Noised profiles that keep their promise in either grouping: the sequences each unit may add are
 * bounded first (boundContributions: one per user by user; by session at most `sessionsPerUser` per
 * user, or per session without user ids), the profiles computed on those, then noised with the
 * sensitivity of that bound. `selection`: profile only these sequences (the map's selection).
 */
export function privateProfiles(
  table: EventTable,
  sequences: Sequences,
  labels: Int32Array,
  k: number,
  opts: NoiseOptions & { sessionsPerUser?: number; selection?: Int32Array | null; profile?: ProfileOptions },
): { profiles: ClusterProfiles; privacy: PrivacyStatement; bound: ContributionBound } {
  checkEpsilon(opts.epsilon);
  const bound = boundContributions(table, sequences, { sessionsPerUser: opts.sessionsPerUser, uniform: opts.uniform, among: opts.selection ?? null });
  const sub = bound.keep.length === sequences.count ? sequences : narrowSequences(sequences, bound.keep);
  const subLabels = sub === sequences ? labels : Int32Array.from(bound.keep, (i) => labels[i]);
  const exact = profileClusters(table, sub, subLabels, k, opts.profile);
  const topLimit = opts.topLimit ?? opts.profile?.top;
  const { profiles, privacy } = noisyProfiles(exact, { epsilon: opts.epsilon, uniform: opts.uniform, topLimit, contribution: bound });
  return { profiles, privacy, bound };
}

/** The numbers a noised export leaves out: NaN (null in JSON, empty in CSV) or null. */
function omitted(): Pick<GroupStats, 'events' | 'length' | 'revenue' | 'orders' | 'aov' | 'revenuePerUser'> {
  return { events: NaN, length: { mean: NaN, median: NaN, p90: NaN }, revenue: null, orders: null, aov: null, revenuePerUser: null };
}

const rate = (later: number, earlier: number): number | null => (earlier > 0 ? Math.min(1, later / earlier) : null);

const fmt = (x: number): string => (Number.isInteger(x) ? String(x) : x.toPrecision(3));

/** One line for a CSV cell or a status message. */
export function privacySummary(s: PrivacyStatement): string {
  const per = s.unit === 'session' ? 'per session (no user ids)' : s.sequencesPerUnit > 1 ? `per user (up to ${s.sequencesPerUnit} sessions each)` : 'per user';
  return `Laplace noise, epsilon ${fmt(s.epsilon)}, sensitivity ${s.sensitivity}, scale ${fmt(s.scale)}, ${per}; counts given the clustering; events, revenue and orders omitted`;
}
