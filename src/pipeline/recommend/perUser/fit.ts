// Per-user recommendations: a "new" list (items the user has not bought: a blend of ItemKNN,
// RP3beta, next-basket transitions and popularity) and an "again" list (items they bought before,
// by how likely a repurchase is now). The blend's weights and the again list's settings are chosen
// on a validation split made from the given baskets alone: each user's last basket is held out
// (the evaluation protocol applied to the training data), the models are fitted on the rest, and
// the settings with the best validation Recall@20 are refitted on all the baskets. Nothing the
// caller holds out is ever seen, so the choice is made per log, without test data.

import { heldOutTimes, protocolSplit, PROTOCOL_K, type ProtocolSplit } from '../../eval/protocol';
import { recallAtK, ndcgAtK } from '../../eval/metrics';
import type { Baskets } from '../../eval/baskets';
import {
  againCounts,
  againFeatures,
  againFor,
  fitAgain,
  rankAgain,
  type AgainCounts,
  type AgainFeatures,
  type AgainList,
  type AgainModel,
  type AgainParams,
} from './again';
import {
  fitNewItems,
  pruneSignals,
  SignalCollector,
  partialSignals,
  topSignals,
  SIGNALS,
  type NewItemsModel,
  type NewItemsParams,
  type RankedWithReasons,
  type Signal,
  type SignalWeights,
  type UserSignals,
} from './newItems';
import { LOOKED_FIRST, lookedBefore, lookedFirst, type LookHistory } from './viewed';

export interface PerUserOptions {
  /** Items left out of every list (service lines: postage, fees...), 1 = out. */
  exclude?: Uint8Array;
  /** Signals the blend may use (default all); the others get weight 0 (ablation). */
  signals?: readonly Signal[];
  /** Fixed settings instead of the validation choice. */
  params?: { newItems: NewItemsParams; again: AgainParams };
  /** Validation users sampled at most (evenly over user order); default 3,000. */
  validationUsers?: number;
  /** Neighbours kept per item. */
  neighbours?: number;
  /**
   * What each customer looked at (views, clicks, carts), when the log has it: validation then
   * also chooses how many of those not bought lead the new list (viewed.ts).
   */
  looks?: LookHistory | null;
}

export interface Validation {
  users: number;
  recallNew: number;
  ndcgNew: number;
  repeatUsers: number;
  recallAgain: number;
}

export interface PerUserRecommender {
  newModel: NewItemsModel;
  againModel: AgainModel;
  params: { newItems: NewItemsParams; again: AgainParams };
  /** The chosen settings' scores on the validation split (null with fixed params or no validation users). */
  validation: Validation | null;
  seconds: { tune: number; fit: number };
}

const DECAYS = [1, 0.7, 0.4];
/** Validation users sampled at most (evenly): enough for a stable choice, bounded time on big logs. */
const VALIDATION_USERS = 2000;
/** Candidates kept per signal while weights are chosen (pruneSignals). */
const PRUNE_KEEP = 60;
const WEIGHT_GRID = [0, 0.1, 0.3, 1, 3];
/** Rounds of the coordinate ascent over the new list's weights and decay at most. */
const ROUNDS = 3;
const HALF_LIVES = [14, 60, 180, Infinity];
const ALPHAS = [0, 0.5, 1, 2];
const DUES = [0, 1];
const BASKET_HALF_LIVES = [1, 4, Infinity];
const BETAS = [0, 0.25, 1, 2];
/**
 * Fewest validation customers for the looked-at lead to be chosen on them; below, LOOKED_PRIOR.
 * With fewer, a paired gain clear of chance (clearGain) needs an effect larger than most logs
 * show, so the choice would be "none" for want of evidence, not because looks say nothing.
 */
export const LOOK_EVIDENCE_MIN = 50;
/** Looked-at items leading the new list when validation cannot tell (see LOOK_EVIDENCE_MIN). */
export const LOOKED_PRIOR = 3;

export const DEFAULT_NEW_PARAMS: NewItemsParams = { weights: { knn: 1, rp3: 1, next: 0.5, users: 1, popular: 0.1 }, decay: 0.7 };
export const DEFAULT_AGAIN_PARAMS: AgainParams = { halfLife: 60, alpha: 0.5, due: 0, beta: 0, basketHalfLife: Infinity };

function evenSample(users: Int32Array, max: number): number[] {
  const out: number[] = [];
  if (users.length <= max) return Array.from(users, (_u, t) => t);
  for (let q = 0; q < max; q++) out.push(Math.floor((q * users.length) / max));
  return out;
}

/** Scratch for validate: grown to the largest candidate set, reused by every blend tried. */
interface Scratch {
  score: Float64Array;
  best: Int32Array;
  ranked: Int32Array;
}

/** Validation cases: each one's signals under every decay tried, and its held-out items. */
interface Cases {
  byDecay: UserSignals[][];
  relevant: Int32Array[];
  /** With a look history: per case, what the customer looked at before the held-out basket and had not bought, latest first. */
  looked: Int32Array[];
}

/** Per validation case, the sums of the signals before one (partialSignals), back to back. */
interface Prefix {
  from: number;
  sums: Float64Array;
  offsets: Int32Array;
}

function prefixOf(sigs: UserSignals[], weights: SignalWeights, from: number): Prefix {
  const offsets = new Int32Array(sigs.length + 1);
  for (let q = 0; q < sigs.length; q++) offsets[q + 1] = offsets[q] + sigs[q].items.length;
  const sums = new Float64Array(offsets[sigs.length]);
  const w = SIGNALS.map((s) => weights[s]);
  if (from > 0) for (let q = 0; q < sigs.length; q++) partialSignals(sigs[q], w, from, sums, offsets[q]);
  return { from, sums, offsets };
}

/**
 * Mean Recall@20 (and NDCG) of a blend over precollected validation signals. With `prefix`, the
 * signals before prefix.from are taken as summed there (their weights must be those of `weights`).
 * With `lead`, each case's first lead.k looked-at items (lead.looked[q]) go before its list.
 * With `perCase`, each case's Recall@20 is written there too.
 */
function validate(
  sigs: UserSignals[],
  relevant: Int32Array[],
  weights: SignalWeights,
  idRank: Int32Array,
  scratch: Scratch,
  prefix?: Prefix,
  lead?: { looked: Int32Array[]; k: number },
  perCase?: Float64Array,
): { recall: number; ndcg: number } {
  let recall = 0;
  let ndcg = 0;
  const w = SIGNALS.map((s) => weights[s]);
  const from = { from: prefix?.from ?? 0, sums: prefix?.sums ?? new Float64Array(0), offset: 0 };
  for (let q = 0; q < sigs.length; q++) {
    const sig = sigs[q];
    if (scratch.score.length < sig.items.length) scratch.score = new Float64Array(sig.items.length);
    if (prefix) from.offset = prefix.offsets[q];
    const size = topSignals(sig, w, idRank, PROTOCOL_K, scratch.score, scratch.best, prefix ? from : undefined);
    for (let r = 0; r < size; r++) scratch.ranked[r] = sig.items[scratch.best[r]];
    const list = scratch.ranked.subarray(0, size);
    const ranked = lead ? lookedFirst(lead.looked[q].subarray(0, lead.k), list, PROTOCOL_K) : list;
    const rq = recallAtK(ranked, relevant[q], PROTOCOL_K);
    if (perCase) perCase[q] = rq;
    recall += rq;
    ndcg += ndcgAtK(ranked, relevant[q], PROTOCOL_K);
  }
  return sigs.length ? { recall: recall / sigs.length, ndcg: ndcg / sigs.length } : { recall: 0, ndcg: 0 };
}

/** Adds up to `max` of a split's users (evenly sampled) as validation cases, with a model fitted on its training part. */
function addCases(cases: Cases, input: Baskets, split: ProtocolSplit, idOrder: Int32Array, opts: PerUserOptions, wantUsers: boolean, max: number): void {
  const model = fitNewItems(split.train, idOrder, opts.exclude, opts.neighbours);
  const collector = new SignalCollector(model, PROTOCOL_K);
  collector.wantUsers = wantUsers;
  const looks = opts.looks;
  // The held-out basket's time per user (`input`'s baskets): what they looked at before it is fair to use.
  const cut = looks ? heldOutTimes(input, split) : null;
  // Each user's candidates and UserKNN are gathered once for all the decays (collectDecays).
  for (const t of evenSample(split.users, max)) {
    const u = split.users[t];
    collector.collectDecays(u, DECAYS).forEach((sig, d) => cases.byDecay[d].push(pruneSignals(sig, PRUNE_KEEP)));
    cases.relevant.push(split.targets.subarray(split.targetPtr[t], split.targetPtr[t + 1]));
    if (looks && cut) {
      const own = new Set(split.trainItems.subarray(split.trainPtr[u], split.trainPtr[u + 1]));
      cases.looked.push(lookedBefore(looks, u, cut[u], (i) => own.has(i), model.exclude, model.idRank, PROTOCOL_K));
    }
  }
}

function tuneNew(
  input: Baskets,
  split: ProtocolSplit,
  idOrder: Int32Array,
  opts: PerUserOptions,
): { params: NewItemsParams; recall: number; ndcg: number; users: number } {
  const allowed = new Set<Signal>(opts.signals ?? SIGNALS);
  const budget = opts.validationUsers ?? VALIDATION_USERS;
  const cases: Cases = { byDecay: DECAYS.map(() => []), relevant: [], looked: [] };
  addCases(cases, input, split, idOrder, opts, allowed.has('users'), budget);
  // A log with fewer validation customers than the budget gets a second, earlier fold: the same
  // protocol applied once more to the training part (each customer's previous basket held out),
  // so a small log's choice rests on more cases and less on chance. Large logs fill the budget
  // from the first fold and pay nothing.
  if (cases.relevant.length < budget) {
    const earlier = protocolSplit(split.train);
    if (earlier.users.length > 0) addCases(cases, split.train, earlier, idOrder, opts, allowed.has('users'), budget - cases.relevant.length);
  }
  // Equal scores rank in id order, the same for every fold.
  const idRank = new Int32Array(idOrder.length);
  for (let r = 0; r < idOrder.length; r++) idRank[idOrder[r]] = r;
  const scratch: Scratch = { score: new Float64Array(0), best: new Int32Array(PROTOCOL_K), ranked: new Int32Array(PROTOCOL_K) };
  // Coordinate ascent over the weights and the decay together: from equal weights at the decay
  // that suits them best, each signal's weight over the grid, then the other decays, the rest
  // held; best validation Recall@20, then NDCG@20. One ascent instead of one per decay: about
  // half the blends scored, and the same or a better choice on every log checked
  // (docs/benchmarks.md, per-user speed, third pass). Each (decay, blend) is scored once.
  const w: SignalWeights = { knn: 0, rp3: 0, next: 0, users: 0, popular: 0 };
  for (const s of SIGNALS) w[s] = allowed.has(s) ? 1 : 0;
  const seen = new Map<string, { recall: number; ndcg: number }>();
  // With `prefix`, the sums of the signals before one (prefixOf, under x's weights), made on first need.
  const score = (x: SignalWeights, d: number, prefix?: () => Prefix): { recall: number; ndcg: number } => {
    const key = `${d}:${SIGNALS.map((sg) => x[sg]).join(',')}`;
    let r = seen.get(key);
    if (!r) {
      r = validate(cases.byDecay[d], cases.relevant, x, idRank, scratch, prefix?.());
      seen.set(key, r);
    }
    return r;
  };
  const better = (r: { recall: number; ndcg: number }, than: { recall: number; ndcg: number }): boolean =>
    r.recall > than.recall + 1e-9 || (r.recall === than.recall && r.ndcg > than.ndcg + 1e-9);
  let d = 0;
  let cur = score(w, 0);
  for (let e = 1; e < DECAYS.length; e++) {
    const r = score(w, e);
    if (better(r, cur)) {
      cur = r;
      d = e;
    }
  }
  for (let round = 0; round < ROUNDS; round++) {
    let changed = false;
    for (const s of SIGNALS) {
      if (!allowed.has(s)) continue;
      // The signals before s keep their weights while s's are tried: their sums once (when needed).
      let prefix: Prefix | null = null;
      for (const v of WEIGHT_GRID) {
        if (v === w[s]) continue;
        const trial = { ...w, [s]: v };
        if (SIGNALS.every((x) => trial[x] === 0)) continue;
        const r = score(trial, d, () => (prefix ??= prefixOf(cases.byDecay[d], w, SIGNALS.indexOf(s))));
        if (better(r, cur)) {
          cur = r;
          w[s] = v;
          changed = true;
        }
      }
    }
    for (let e = 0; e < DECAYS.length; e++) {
      if (e === d) continue;
      const r = score(w, e);
      if (better(r, cur)) {
        cur = r;
        d = e;
        changed = true;
      }
    }
    if (!changed) break;
  }
  const best = { params: { weights: { ...w }, decay: DECAYS[d] } as NewItemsParams, recall: cur.recall, ndcg: cur.ndcg };
  if (opts.looks) {
    // How many looked-at items lead the list: each count over the chosen blend's lists; a tie keeps
    // fewer, and a count is taken only when its gain over the blend alone is clear of chance (a
    // gain of a few cases came out of logs where looking says nothing about buying).
    best.params.lookedFirst = 0;
    const n = cases.relevant.length;
    const base = new Float64Array(n);
    const withLead = new Float64Array(n);
    validate(cases.byDecay[d], cases.relevant, w, idRank, scratch, undefined, undefined, base);
    for (const k of LOOKED_FIRST) {
      if (k === 0) continue;
      const r = validate(cases.byDecay[d], cases.relevant, w, idRank, scratch, undefined, { looked: cases.looked, k }, withLead);
      if (better(r, best) && clearGain(base, withLead)) {
        best.params.lookedFirst = k;
        best.recall = r.recall;
        best.ndcg = r.ndcg;
      }
    }
  }
  return { ...best, users: cases.relevant.length };
}

/** Whether the mean of b - a (paired, per case) is positive by more than two standard errors. */
export function clearGain(a: Float64Array, b: Float64Array): boolean {
  const n = a.length;
  if (n < 2) return false;
  let sum = 0;
  for (let q = 0; q < n; q++) sum += b[q] - a[q];
  const mean = sum / n;
  let ss = 0;
  for (let q = 0; q < n; q++) ss += (b[q] - a[q] - mean) ** 2;
  return mean > 0 && mean > 2 * Math.sqrt(ss / (n - 1) / n);
}

/** Validation cases of the again list: a user's features under a model fitted without their held-out basket, and its items. */
interface AgainCase {
  model: AgainModel;
  features: AgainFeatures;
  relevant: Int32Array;
}

function addAgainCases(cases: AgainCase[], split: ProtocolSplit, idRank: Int32Array, exclude: Uint8Array, max: number): void {
  const model = fitAgain(split.train, idRank, exclude);
  for (const t of evenSample(split.repeatUsers, max)) {
    cases.push({
      model,
      features: againFeatures(model, split.repeatUsers[t]),
      relevant: split.repeatTargets.subarray(split.repeatPtr[t], split.repeatPtr[t + 1]),
    });
  }
}

function tuneAgain(split: ProtocolSplit, idRank: Int32Array, exclude: Uint8Array, maxUsers: number): { params: AgainParams; recall: number; users: number } {
  const cases: AgainCase[] = [];
  addAgainCases(cases, split, idRank, exclude, maxUsers);
  // As for the new list: a log with fewer validation customers than the budget gets a second,
  // earlier fold (each customer's previous basket held out from the training part).
  if (cases.length < maxUsers) {
    const earlier = protocolSplit(split.train);
    if (earlier.repeatUsers.length > 0) addAgainCases(cases, earlier, idRank, exclude, maxUsers - cases.length);
  }
  // Coordinate ascent from the defaults: each setting over its grid, the others held, two
  // rounds; best validation Recall@20, then NDCG@20 (a tie keeps the current setting). The counts
  // of a pair of half-lives are computed once for every setting tried with them.
  const countsBy = new Map<string, AgainCounts[]>();
  // Settings already scored: the second round retries many of the first round's.
  const scored = new Map<string, { recall: number; ndcg: number }>();
  const evaluate = (p: Required<AgainParams>): { recall: number; ndcg: number } => {
    const all = `${p.halfLife}|${p.basketHalfLife}|${p.alpha}|${p.due}|${p.beta}`;
    const known = scored.get(all);
    if (known) return known;
    const r = evaluateOnce(p);
    scored.set(all, r);
    return r;
  };
  const evaluateOnce = (p: Required<AgainParams>): { recall: number; ndcg: number } => {
    const key = `${p.halfLife}|${p.basketHalfLife}`;
    let counts = countsBy.get(key);
    if (!counts) {
      counts = cases.map((c) => againCounts(c.features, p.halfLife, p.basketHalfLife));
      countsBy.set(key, counts);
    }
    let recall = 0;
    let ndcg = 0;
    for (let q = 0; q < cases.length; q++) {
      const c = cases[q];
      const ranked = rankAgain(c.model, c.features, PROTOCOL_K, p, false, counts[q]).items;
      recall += recallAtK(ranked, c.relevant, PROTOCOL_K);
      ndcg += ndcgAtK(ranked, c.relevant, PROTOCOL_K);
    }
    const n = Math.max(1, cases.length);
    return { recall: recall / n, ndcg: ndcg / n };
  };
  const cur = { ...DEFAULT_AGAIN_PARAMS } as Required<AgainParams>;
  let score = evaluate(cur);
  const grids: [keyof AgainParams, number[]][] = [
    ['halfLife', HALF_LIVES],
    ['basketHalfLife', BASKET_HALF_LIVES],
    ['alpha', ALPHAS],
    ['due', DUES],
    ['beta', BETAS],
  ];
  for (let round = 0; round < 2; round++) {
    let changed = false;
    for (const [name, grid] of grids) {
      for (const v of grid) {
        if (v === cur[name]) continue;
        const trial = { ...cur, [name]: v };
        const r = evaluate(trial);
        if (r.recall > score.recall + 1e-9 || (r.recall >= score.recall - 1e-9 && r.ndcg > score.ndcg + 1e-9)) {
          score = r;
          cur[name] = v;
          changed = true;
        }
      }
    }
    if (!changed) break;
  }
  const best = { params: { ...cur }, recall: score.recall };
  return { params: best.params, recall: best.recall, users: cases.length };
}

/** The settings of the lists, chosen on a validation split of `b` (the first half of fitPerUser). */
export function choosePerUserParams(
  b: Baskets,
  idOrder: Int32Array,
  opts: PerUserOptions = {},
): { params: { newItems: NewItemsParams; again: AgainParams }; validation: Validation | null } {
  const exclude = opts.exclude ?? new Uint8Array(b.itemCount);
  if (opts.params) return { params: opts.params, validation: null };
  const split = protocolSplit(b);
  const idRank = new Int32Array(b.itemCount);
  for (let r = 0; r < idOrder.length; r++) idRank[idOrder[r]] = r;
  const nw = split.users.length > 0 ? tuneNew(b, split, idOrder, { ...opts, exclude }) : null;
  const ag = split.repeatUsers.length > 0 ? tuneAgain(split, idRank, exclude, opts.validationUsers ?? VALIDATION_USERS) : null;
  let newItems = nw?.params ?? DEFAULT_NEW_PARAMS;
  // Too few validation customers to tell whether looking leads to buying (a small log, or one where
  // almost nobody bought twice: REES46's sample has no such customer): a few looked-at items lead,
  // as a shop's "recently viewed" would, rather than everyone getting the same best sellers.
  if (opts.looks && (nw?.users ?? 0) < LOOK_EVIDENCE_MIN) newItems = { ...newItems, lookedFirst: LOOKED_PRIOR };
  const params = { newItems, again: ag?.params ?? DEFAULT_AGAIN_PARAMS };
  const validation =
    nw || ag ? { users: nw?.users ?? 0, recallNew: nw?.recall ?? 0, ndcgNew: nw?.ndcg ?? 0, repeatUsers: ag?.users ?? 0, recallAgain: ag?.recall ?? 0 } : null;
  return { params, validation };
}

/** The models of the lists fitted on all of `b` (the second half of fitPerUser; independent of the settings). */
export function fitPerUserModels(
  b: Baskets,
  idOrder: Int32Array,
  exclude: Uint8Array,
  neighbours?: number,
): { newModel: NewItemsModel; againModel: AgainModel } {
  const newModel = fitNewItems(b, idOrder, exclude, neighbours);
  const againModel = fitAgain(b, newModel.idRank, exclude);
  return { newModel, againModel };
}

/** Validation choice of the settings, then the models fitted on all the baskets. */
export function fitPerUser(b: Baskets, idOrder: Int32Array, opts: PerUserOptions = {}): PerUserRecommender {
  const t0 = performance.now();
  const exclude = opts.exclude ?? new Uint8Array(b.itemCount);
  const { params, validation } = choosePerUserParams(b, idOrder, { ...opts, exclude });
  const t1 = performance.now();
  const { newModel, againModel } = fitPerUserModels(b, idOrder, exclude, opts.neighbours);
  const t2 = performance.now();
  return { newModel, againModel, params, validation, seconds: { tune: (t1 - t0) / 1000, fit: (t2 - t1) / 1000 } };
}

/** Lists for many users with one set of scratch arrays. */
export class PerUserLists {
  private readonly collector: SignalCollector;
  constructor(
    private readonly rec: PerUserRecommender,
    private readonly top: number,
  ) {
    this.collector = new SignalCollector(rec.newModel, top);
    this.collector.wantUsers = rec.params.newItems.weights.users > 0;
  }
  newFor(u: number): RankedWithReasons {
    return this.collector.rank(u, this.rec.params.newItems, this.top);
  }
  againFor(u: number): AgainList {
    return againFor(this.rec.againModel, u, this.top, this.rec.params.again, true);
  }
}

export { SIGNALS, type Signal, type SignalWeights, type NewItemsParams, type RankedWithReasons } from './newItems';
export type { AgainParams, AgainList } from './again';
