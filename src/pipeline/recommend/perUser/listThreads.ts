// The per-user recommender across helper threads, two ways:
// - fitPerUserOnThreads: the models fitted on all the baskets (which do not depend on the settings)
//   on a helper while the calling thread chooses the settings on the validation split;
// - allLists: every user's lists. A user's lists depend only on the fitted models and the chosen
//   settings, so users are independent: the models go to each helper once (typed arrays, in
//   SharedArrayBuffers where threads can share memory, else copied), and helpers take chunks of
//   users from one queue until it is empty.
// Helpers run the same code on the same arrays as the calling thread (fitPerUserModels,
// PerUserLists), so the models and lists are the same bit for bit (listThreads.test.ts). Threads
// are abstract ports (../../threads.ts): worker_threads in Node, nested Web Workers in the
// browser; this module touches neither.
//
// A helper that dies hands its chunk back to the queue; whatever is left when none is alive runs
// on the calling thread (a failed fit is redone there too). A cancel ends the work.

import type { Baskets } from '../../eval/baskets';
import { canShareMemory, type HelperEndpoint, type HelperThreads, type ThreadPort } from '../../threads';
import type { AgainModel, AgainParams } from './again';
import { choosePerUserParams, fitPerUser, fitPerUserModels, PerUserLists, type PerUserOptions, type PerUserRecommender } from './fit';
import type { NewItemsModel, NewItemsParams } from './newItems';
import type { ItemUserIndex, Neighbours } from './neighbours';

/** Every listed user's two lists, back to back (CSR): user users[q]'s new list is newItems[newPtr[q]..newPtr[q+1]). */
export interface AllLists {
  top: number;
  users: Int32Array;
  newPtr: Int32Array;
  newItems: Int32Array;
  newScores: Float64Array;
  newReasons: string[];
  againPtr: Int32Array;
  againItems: Int32Array;
  againScores: Float64Array;
  againReasons: string[];
}

/** Users per task: small enough to balance two to eight helpers, large enough that messages cost nothing. */
const CHUNK = 2000;
/** Below this many users the lists stay on the calling thread (starting helpers costs more). */
export const LIST_THREADS_MIN_USERS = 20_000;

/** The models as plain data: typed arrays and numbers only (the basket names stay behind). */
interface WireModel {
  newModel: Omit<NewItemsModel, 'baskets'>;
  againModel: Omit<AgainModel, 'baskets'>;
  baskets: Omit<Baskets, 'basketName'>;
  params: { newItems: NewItemsParams; again: AgainParams };
}

type WireBaskets = Omit<Baskets, 'basketName'>;

type ToHelper =
  | { type: 'lists-init'; model: WireModel; top: number }
  | { type: 'lists-run'; id: number; users: Int32Array }
  | { type: 'peruser-fit'; baskets: WireBaskets; idOrder: Int32Array; exclude: Uint8Array; neighbours?: number };

type FromHelper =
  | ({ type: 'lists-done'; id: number } & ListsChunk)
  | { type: 'lists-error'; id: number; message: string }
  | { type: 'peruser-fitted'; newModel: WireModel['newModel']; againModel: WireModel['againModel'] }
  | { type: 'peruser-fit-error'; message: string };

type Typed = Int32Array | Float64Array | Float32Array | Uint8Array;

function share<T extends Typed>(a: T): T {
  if (!canShareMemory() || a.buffer instanceof SharedArrayBuffer) return a;
  const C = a.constructor as { new (b: SharedArrayBuffer): T; BYTES_PER_ELEMENT: number };
  const out = new C(new SharedArrayBuffer(a.length * C.BYTES_PER_ELEMENT));
  (out as unknown as { set(x: T): void }).set(a);
  return out;
}

function shareNeighbours(nb: Neighbours): Neighbours {
  return { ptr: share(nb.ptr), item: share(nb.item), weight: share(nb.weight) };
}

export function wireBaskets(b: Baskets): WireBaskets {
  return {
    userCount: b.userCount,
    itemCount: b.itemCount,
    userPtr: share(b.userPtr),
    basketUser: share(b.basketUser),
    basketTime: share(b.basketTime),
    ptr: share(b.ptr),
    items: share(b.items),
  };
}

export function toWire(rec: PerUserRecommender): WireModel {
  const m = rec.newModel;
  const a = rec.againModel;
  const baskets = wireBaskets(m.baskets);
  const index: ItemUserIndex = { uPtr: share(m.index.uPtr), uItems: share(m.index.uItems), iPtr: share(m.index.iPtr), iUsers: share(m.index.iUsers) };
  // fitNewItems keeps the same arrays as uPtr/uItems and index.uPtr/uItems: one copy of each.
  const sameOwn = m.uPtr === m.index.uPtr && m.uItems === m.index.uItems;
  const idRank = share(m.idRank);
  const exclude = share(m.exclude);
  return {
    baskets,
    newModel: {
      itemCount: m.itemCount,
      uPtr: sameOwn ? index.uPtr : share(m.uPtr),
      uItems: sameOwn ? index.uItems : share(m.uItems),
      knn: shareNeighbours(m.knn),
      rp3: shareNeighbours(m.rp3),
      next: shareNeighbours(m.next),
      index,
      popularity: share(m.popularity),
      popOrder: share(m.popOrder),
      idRank,
      exclude,
    },
    againModel: {
      timed: a.timed,
      now: a.now,
      repeatRate: share(a.repeatRate),
      gap: share(a.gap),
      share: share(a.share),
      idRank: a.idRank === m.idRank ? idRank : share(a.idRank),
      exclude: a.exclude === m.exclude ? exclude : share(a.exclude),
    },
    params: rec.params,
  };
}

export function fromWire(w: WireModel): PerUserRecommender {
  const baskets: Baskets = { ...w.baskets, basketName: [] };
  return {
    newModel: { ...w.newModel, baskets },
    againModel: { ...w.againModel, baskets },
    params: w.params,
    validation: null,
    seconds: { tune: 0, fit: 0 },
  };
}

/**
 * One chunk of users' lists as it crosses threads: reasons as numbers into the chunk's own table of
 * texts. A few hundred distinct texts make up millions of list entries; sent as strings, every
 * entry arrived as a string of its own (structured clones do not share them): 7M entries of a big
 * log's export were hundreds of MB and a third of a second of copying.
 */
interface ListsChunk {
  newPtr: Int32Array;
  newItems: Int32Array;
  newScores: Float64Array;
  newReasons: Int32Array;
  againPtr: Int32Array;
  againItems: Int32Array;
  againScores: Float64Array;
  againReasons: Int32Array;
  reasonTexts: string[];
}

/** The lists of `users` with one PerUserLists, as one chunk. */
function runChunk(lists: PerUserLists, users: Int32Array): ListsChunk {
  const newPtr = new Int32Array(users.length + 1);
  const againPtr = new Int32Array(users.length + 1);
  const newParts: { items: Int32Array; scores: Float64Array; reasons: string[] }[] = [];
  const againParts: { items: Int32Array; scores: Float64Array; reasons: string[] }[] = [];
  for (let q = 0; q < users.length; q++) {
    const n = lists.newFor(users[q]);
    const a = lists.againFor(users[q]);
    newParts.push(n);
    againParts.push(a);
    newPtr[q + 1] = newPtr[q] + n.items.length;
    againPtr[q + 1] = againPtr[q] + a.items.length;
  }
  const codes = new Map<string, number>();
  const reasonTexts: string[] = [];
  const pack = (parts: typeof newParts, ptr: Int32Array) => {
    const total = ptr[ptr.length - 1];
    const items = new Int32Array(total);
    const scores = new Float64Array(total);
    const reasons = new Int32Array(total);
    for (let q = 0; q < parts.length; q++) {
      const p = parts[q];
      items.set(p.items, ptr[q]);
      scores.set(p.scores, ptr[q]);
      for (let r = 0; r < p.reasons.length; r++) {
        let code = codes.get(p.reasons[r]);
        if (code === undefined) {
          code = reasonTexts.length;
          codes.set(p.reasons[r], code);
          reasonTexts.push(p.reasons[r]);
        }
        reasons[ptr[q] + r] = code;
      }
    }
    return { items, scores, reasons };
  };
  const n = pack(newParts, newPtr);
  const a = pack(againParts, againPtr);
  return {
    newPtr,
    newItems: n.items,
    newScores: n.scores,
    newReasons: n.reasons,
    againPtr,
    againItems: a.items,
    againScores: a.scores,
    againReasons: a.reasons,
    reasonTexts,
  };
}

/** Chunks joined in user order, reasons as texts again (each text one string, shared by its entries). */
function join(top: number, users: Int32Array, chunks: ListsChunk[]): AllLists {
  const out: AllLists = {
    top,
    users,
    newPtr: new Int32Array(users.length + 1),
    newItems: new Int32Array(0),
    newScores: new Float64Array(0),
    newReasons: [],
    againPtr: new Int32Array(users.length + 1),
    againItems: new Int32Array(0),
    againScores: new Float64Array(0),
    againReasons: [],
  };
  for (const which of ['new', 'again'] as const) {
    const ptrKey = which === 'new' ? 'newPtr' : 'againPtr';
    let total = 0;
    for (const c of chunks) total += c[ptrKey][c[ptrKey].length - 1];
    const items = new Int32Array(total);
    const scores = new Float64Array(total);
    const reasons: string[] = new Array<string>(total);
    const ptr = out[ptrKey];
    let q = 0;
    let o = 0;
    for (const c of chunks) {
      const cp = c[ptrKey];
      const len = cp[cp.length - 1];
      items.set(which === 'new' ? c.newItems : c.againItems, o);
      scores.set(which === 'new' ? c.newScores : c.againScores, o);
      const rs = which === 'new' ? c.newReasons : c.againReasons;
      const texts = c.reasonTexts;
      for (let r = 0; r < len; r++) reasons[o + r] = texts[rs[r]];
      for (let t = 1; t < cp.length; t++) ptr[q + t] = o + cp[t];
      q += cp.length - 1;
      o += len;
    }
    if (which === 'new') {
      out.newItems = items;
      out.newScores = scores;
      out.newReasons = reasons;
    } else {
      out.againItems = items;
      out.againScores = scores;
      out.againReasons = reasons;
    }
  }
  return out;
}

/** Every user's lists on the calling thread (what the helpers compute, and the reference of the tests). */
export function allListsHere(rec: PerUserRecommender, users: Int32Array, top: number): AllLists {
  const lists = new PerUserLists(rec, top);
  const chunks: ListsChunk[] = [];
  for (let lo = 0; lo < users.length; lo += CHUNK) chunks.push(runChunk(lists, users.subarray(lo, Math.min(users.length, lo + CHUNK))));
  return join(top, users, chunks);
}

/** A helper died or misbehaved: its chunk goes back to the queue. */
class HelperLost extends Error {}

/**
 * Every user's lists (`users`, in that order; lists of `top` items) on up to `size` helper threads
 * (see the header); with no threads, fewer than two, or fewer than `minUsers` users, on the
 * calling thread. Resolves with the lists and how many helpers did at least one chunk.
 */
export async function allLists(
  rec: PerUserRecommender,
  users: Int32Array,
  top: number,
  threads: HelperThreads | null,
  opts: { size?: number; minUsers?: number; chunk?: number; cancelled?: () => boolean } = {},
): Promise<{ lists: AllLists; threads: number; problems?: string[] }> {
  const chunk = opts.chunk ?? CHUNK;
  const size = threads ? Math.min(Math.floor(opts.size ?? threads.size), Math.ceil(users.length / chunk)) : 0;
  if (!threads || !(size > 1) || users.length < (opts.minUsers ?? LIST_THREADS_MIN_USERS)) return { lists: allListsHere(rec, users, top), threads: 0 };
  const queue: number[] = [];
  for (let lo = 0, id = 0; lo < users.length; lo += chunk, id++) queue.push(id);
  const chunkUsers = (id: number): Int32Array => users.subarray(id * chunk, Math.min(users.length, (id + 1) * chunk));
  const done: (ListsChunk | null)[] = queue.map(() => null);
  const model = toWire(rec);
  const ports: ThreadPort[] = [];
  for (let i = 0; i < size; i++) {
    try {
      ports.push(threads.spawn());
    } catch {
      break; // No threads here after all: the calling thread does the work.
    }
  }
  let cancelledError: Error | null = null;
  const problems: string[] = [];
  const working = new Set<number>();
  const lane = (port: ThreadPort, h: number): Promise<void> =>
    new Promise<void>((resolve) => {
      let current = -1;
      let over = false;
      const finish = (): void => {
        if (over) return;
        over = true;
        port.terminate();
        resolve();
      };
      const next = (): void => {
        if (opts.cancelled?.()) {
          cancelledError = new Error('cancelled');
          queue.length = 0;
        }
        const id = queue.shift();
        if (id === undefined) {
          finish();
          return;
        }
        current = id;
        port.postMessage({ type: 'lists-run', id, users: chunkUsers(id).slice() } satisfies ToHelper);
      };
      const lost = (reason: string): void => {
        if (!over) problems.push(reason);
        if (current >= 0 && !done[current]) queue.push(current);
        current = -1;
        finish();
      };
      port.onMessage((raw) => {
        const m = raw as FromHelper;
        if (m.type === 'lists-error') {
          lost(m.message);
          return;
        }
        if (m.type !== 'lists-done' || m.id !== current) return;
        const { type: _t, id, ...chunk } = m;
        done[id] = chunk;
        working.add(h);
        current = -1;
        next();
      });
      port.onError((reason) => lost(reason));
      port.postMessage({ type: 'lists-init', model, top } satisfies ToHelper);
      next();
    });
  await Promise.all(ports.map(lane));
  if (cancelledError) throw cancelledError;
  // Whatever no helper could do runs here, exactly as a helper would have run it.
  let here: PerUserLists | null = null;
  for (let id = 0; id < done.length; id++) {
    if (done[id]) continue;
    here ??= new PerUserLists(rec, top);
    done[id] = runChunk(here, chunkUsers(id));
  }
  return { lists: join(top, users, done as ListsChunk[]), threads: working.size, problems };
}

/**
 * fitPerUser with its two halves side by side: the models are fitted on all of `b` on a helper
 * thread while this thread chooses the settings on the validation split (the models do not depend
 * on the settings). The same code on the same arrays, so the same recommender as fitPerUser. With
 * no threads, fixed settings, fewer than `minUsers` users, or a helper that fails, fitPerUser's own
 * order on this thread. `seconds.fit` is then the wait for the helper after the choice.
 */
export async function fitPerUserOnThreads(
  b: Baskets,
  idOrder: Int32Array,
  opts: PerUserOptions,
  threads: HelperThreads | null,
  o: { minUsers?: number } = {},
): Promise<{ rec: PerUserRecommender; threads: number; problem?: string }> {
  if (!threads || !(threads.size > 1) || opts.params || b.userCount < (o.minUsers ?? LIST_THREADS_MIN_USERS))
    return { rec: fitPerUser(b, idOrder, opts), threads: 0 };
  let port: ThreadPort;
  try {
    port = threads.spawn();
  } catch {
    return { rec: fitPerUser(b, idOrder, opts), threads: 0 };
  }
  const t0 = performance.now();
  const exclude = share(opts.exclude ?? new Uint8Array(b.itemCount));
  const reply = new Promise<FromHelper | string>((resolve) => {
    port.onMessage((m) => resolve(m as FromHelper));
    port.onError((reason) => resolve(reason));
  });
  port.postMessage({ type: 'peruser-fit', baskets: wireBaskets(b), idOrder: share(idOrder), exclude, neighbours: opts.neighbours } satisfies ToHelper);
  // The helper fits while this thread chooses; its answer waits in the queue until the choice is made.
  const { params, validation } = choosePerUserParams(b, idOrder, { ...opts, exclude });
  const t1 = performance.now();
  const m = await reply;
  port.terminate();
  let problem: string | undefined;
  let models: { newModel: PerUserRecommender['newModel']; againModel: PerUserRecommender['againModel'] };
  if (typeof m !== 'string' && m.type === 'peruser-fitted') {
    models = { newModel: { ...m.newModel, baskets: b }, againModel: { ...m.againModel, baskets: b } };
  } else {
    problem = typeof m === 'string' ? m : m.type === 'peruser-fit-error' ? m.message : `unexpected answer ${m.type}`;
    models = fitPerUserModels(b, idOrder, exclude, opts.neighbours);
  }
  const t2 = performance.now();
  return {
    rec: { ...models, params, validation, seconds: { tune: (t1 - t0) / 1000, fit: (t2 - t1) / 1000 } },
    threads: problem ? 0 : 1,
    ...(problem ? { problem } : {}),
  };
}

/** The helper thread's side: keeps the models of `lists-init`, answers each `lists-run` with its chunk. */
export function serveListsHelper(endpoint: HelperEndpoint): void {
  let lists: PerUserLists | null = null;
  endpoint.onMessage((raw) => {
    const m = raw as ToHelper;
    // The helper serves other stages too: their messages are not for the lists.
    if (m.type !== 'lists-init' && m.type !== 'lists-run' && m.type !== 'peruser-fit') return;
    if (m.type === 'peruser-fit') {
      try {
        const { newModel, againModel } = fitPerUserModels({ ...m.baskets, basketName: [] }, m.idOrder, m.exclude, m.neighbours);
        const { baskets: _nb, ...nm } = newModel;
        const { baskets: _ab, ...am } = againModel;
        // The fitted arrays are handed over, not copied (each buffer once; shared ones are shared anyway).
        const buffers = new Set<ArrayBuffer>();
        const add = (...arrays: Typed[]): void => {
          for (const a of arrays) if (!(a.buffer instanceof SharedArrayBuffer)) buffers.add(a.buffer as ArrayBuffer);
        };
        add(nm.uPtr, nm.uItems, nm.index.iPtr, nm.index.iUsers, nm.index.uPtr, nm.index.uItems, nm.popularity, nm.popOrder, nm.idRank, nm.exclude);
        for (const nb of [nm.knn, nm.rp3, nm.next]) add(nb.ptr, nb.item, nb.weight);
        add(am.repeatRate, am.gap, am.share, am.idRank, am.exclude);
        endpoint.postMessage({ type: 'peruser-fitted', newModel: nm, againModel: am } satisfies FromHelper, [...buffers]);
      } catch (e) {
        endpoint.postMessage({ type: 'peruser-fit-error', message: e instanceof Error ? e.message : String(e) } satisfies FromHelper);
      }
      return;
    }
    if (m.type === 'lists-init') {
      lists = new PerUserLists(fromWire(m.model), m.top);
      return;
    }
    try {
      if (!lists) throw new HelperLost('the helper got users before the models');
      const chunk = runChunk(lists, m.users);
      const transfer = [
        chunk.newPtr,
        chunk.newItems,
        chunk.newScores,
        chunk.newReasons,
        chunk.againPtr,
        chunk.againItems,
        chunk.againScores,
        chunk.againReasons,
      ].map((a) => a.buffer as ArrayBuffer);
      endpoint.postMessage({ type: 'lists-done', id: m.id, ...chunk } satisfies FromHelper, transfer);
    } catch (e) {
      endpoint.postMessage({ type: 'lists-error', id: m.id, message: e instanceof Error ? e.message : String(e) } satisfies FromHelper);
    }
  });
}
