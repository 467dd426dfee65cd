// The K sweep across helper threads. The sweep's K values are independent once every seed's
// k-means++ seeding of kMax centres is known, so helpers first draw those seedings (one task per
// seed) and then take K values, largest (slowest) first, from one queue until it is empty. Each K
// runs exactly as on the calling thread (sweepOneK, with the seeding rebuilt from its centres), so
// the entries are the same bit for bit. Threads are abstract ports: worker_threads in Node, nested
// Web Workers in the browser (../threads.ts); this module touches neither.
//
// A helper that dies (crash, out of memory, a script that would not load) hands its task back to
// the queue; the others go on, and whatever is left when none is alive runs on the calling thread.
// Only an input error (which the calling thread would hit as well) or a cancel ends the sweep.
import { kmeansPlusPlus, seedingFromCentres } from './seeding';
import { seedRng, sweepOneK, type SweepEntry, type SweepPlan } from './sweepUnit';
import { canShareMemory, type HelperEndpoint, type HelperThreads, type ThreadPort } from '../threads';
import { type CancelToken, ClusteringCancelledError, ClusteringInputError, type Matrix, throwIfCancelled } from './types';

type ToHelper =
  | { type: 'init'; data: Matrix; n: number; d: number; plan: SweepPlan }
  | { type: 'seed'; r: number }
  | { type: 'k'; k: number; seedCentres: Float64Array[] | null };

type FromHelper =
  | { type: 'seed'; centres: Float64Array }
  | { type: 'run'; k: number }
  | { type: 'entry'; entry: SweepEntry }
  | { type: 'error'; name: string; message: string };

/**
 * Above this many bytes of data copied to every helper (no SharedArrayBuffer to share one copy),
 * the sweep stays on its thread rather than multiply its largest input.
 */
const MAX_COPIED_BYTES = 256 * 1024 * 1024;

/** How many helpers a sweep of `ks` K values on n points should start (0 or 1: none). */
export function threadsFor(threads: HelperThreads, data: Matrix, n: number, ks: number, minPoints: number): number {
  if (n < minPoints) return 0;
  const size = Math.min(Math.floor(threads.size), ks);
  if (!(size > 1)) return 0;
  if (!canShareMemory() && data.byteLength * size > MAX_COPIED_BYTES) return 0;
  return size;
}

/** `data` in one SharedArrayBuffer when threads can share it, else as is (then each helper gets a copy). */
function shareable(data: Matrix): Matrix {
  if (!canShareMemory()) return data;
  const buffer = new SharedArrayBuffer(data.byteLength);
  const shared = data instanceof Float32Array ? new Float32Array(buffer) : new Float64Array(buffer);
  shared.set(data);
  return shared as unknown as Matrix;
}

/** A helper died or misbehaved: its task goes back to the queue. */
class HelperLost extends Error {}

/** One helper thread with at most one request in flight. */
class Helper {
  private pending: { resolve: (m: FromHelper) => void; reject: (e: Error) => void } | null = null;
  private dead: Error | null = null;

  constructor(
    private readonly port: ThreadPort,
    onRun: (k: number) => void,
  ) {
    port.onMessage((raw) => {
      const m = raw as FromHelper;
      if (m.type === 'run') {
        onRun(m.k);
        return;
      }
      const p = this.pending;
      this.pending = null;
      if (!p) return;
      if (m.type !== 'error') p.resolve(m);
      else if (m.name === 'ClusteringInputError') p.reject(new ClusteringInputError(m.message));
      else p.reject(new HelperLost(`${m.name}: ${m.message}`));
    });
    port.onError((reason) => this.kill(new HelperLost(reason)));
  }

  request(message: ToHelper): Promise<FromHelper> {
    if (this.dead) return Promise.reject(this.dead);
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.port.postMessage(message);
    });
  }

  /** Stops the thread; a request in flight fails with `reason`. */
  kill(reason: Error): void {
    if (!this.dead) {
      this.dead = reason;
      this.port.terminate();
    }
    const p = this.pending;
    this.pending = null;
    p?.reject(reason);
  }
}

export interface ThreadedSweepHooks {
  cancel?: CancelToken;
  /** A k-means run of K finished. */
  onRun(k: number): void;
  /** K's entry is complete. */
  onEntry(entry: SweepEntry): void;
}

/**
 * Runs the K values `ks` of a sweep on `size` helper threads (see the header). Resolves with the
 * entries in K order and the number of helpers that finished at least one task.
 */
export async function sweepOnThreads(
  data: Matrix,
  n: number,
  d: number,
  ks: readonly number[],
  plan: SweepPlan,
  threads: HelperThreads,
  size: number,
  hooks: ThreadedSweepHooks,
): Promise<{ entries: SweepEntry[]; threads: number }> {
  const seedQueue: number[] = plan.prefixSeeding ? Array.from({ length: plan.seeds }, (_, r) => r) : [];
  const seedCentres: (Float64Array | null)[] = seedQueue.map(() => null);
  const kQueue = [...ks].sort((a, b) => b - a);
  const entries = new Map<number, SweepEntry>();
  const seedsDone = (): boolean => seedCentres.every((c) => c !== null);
  // Lanes waiting for the last seeding (or for a failed lane's task to come back) sleep on `change`.
  let wake: () => void = () => {};
  let change = new Promise<void>((resolve) => (wake = resolve));
  const changed = (): void => {
    const w = wake;
    change = new Promise<void>((resolve) => (wake = resolve));
    w();
  };

  const helpers: Helper[] = [];
  // The error that ends the sweep (a cancel, an input error): set once, from any lane or the poll.
  const end: { error: Error | null } = { error: null };
  const abort = (e: Error): void => {
    if (end.error) return;
    end.error = e;
    for (const h of helpers) h.kill(e);
    changed();
  };
  const checkCancel = (): void => {
    if (hooks.cancel?.cancelled) abort(new ClusteringCancelledError());
  };
  const shared = shareable(data);
  for (let i = 0; i < size; i++) {
    let port: ThreadPort;
    try {
      port = threads.spawn();
    } catch {
      break; // No threads here after all: the calling thread does the work.
    }
    const h = new Helper(port, (k) => {
      hooks.onRun(k);
      checkCancel();
    });
    port.postMessage({ type: 'init', data: shared, n, d, plan } satisfies ToHelper);
    helpers.push(h);
  }
  // A cancel arrives as a flag, checked on every message from a helper and polled in between.
  const poll = setInterval(checkCancel, 50);

  const working = new Set<Helper>();
  /** A lane's task failed: it goes back to the queue; anything but a lost helper ends the sweep. */
  const giveBack = (e: unknown, requeue: () => void): void => {
    requeue();
    changed();
    if (!(e instanceof HelperLost)) abort(e as Error);
  };
  const lane = async (h: Helper): Promise<void> => {
    for (;;) {
      checkCancel();
      if (end.error) return;
      if (seedQueue.length > 0) {
        const r = seedQueue.shift()!;
        try {
          const m = await h.request({ type: 'seed', r });
          if (m.type !== 'seed') throw new HelperLost(`expected a seeding, got ${m.type}`);
          seedCentres[r] = m.centres;
          changed();
        } catch (e) {
          giveBack(e, () => seedQueue.unshift(r));
          return;
        }
      } else if (!seedsDone()) {
        await change;
      } else if (kQueue.length > 0) {
        const k = kQueue.shift()!;
        try {
          const m = await h.request({ type: 'k', k, seedCentres: plan.prefixSeeding ? (seedCentres as Float64Array[]) : null });
          if (m.type !== 'entry') throw new HelperLost(`expected an entry, got ${m.type}`);
          entries.set(k, m.entry);
          working.add(h);
          hooks.onEntry(m.entry);
        } catch (e) {
          giveBack(e, () => kQueue.push(k));
          return;
        }
      } else return;
    }
  };
  // A lane that ends early (its helper lost) leaves the others to drain the queue. When a lane ends
  // while another waits for seeds that nobody will draw any more, the waiting lane wakes on `change`
  // and takes the seed task itself.
  try {
    await Promise.all(helpers.map(lane));
  } finally {
    clearInterval(poll);
    for (const h of helpers) h.kill(new HelperLost('the sweep is over'));
  }
  if (end.error) throw end.error;

  // Whatever no helper could do runs here, exactly as a helper would have run it.
  for (const r of seedQueue) {
    throwIfCancelled(hooks.cancel);
    seedCentres[r] = kmeansPlusPlus(data, n, d, plan.kMax, seedRng(plan, r)).centres;
  }
  for (const k of kQueue.sort((a, b) => b - a)) {
    throwIfCancelled(hooks.cancel);
    const seedings = plan.prefixSeeding ? (seedCentres as Float64Array[]).map((c) => seedingFromCentres(data, n, d, c, k)) : null;
    const { entry } = await sweepOneK(data, n, d, k, plan, seedings, {
      cancel: hooks.cancel,
      onRun: async () => {
        hooks.onRun(k);
        await new Promise((resolve) => setTimeout(resolve, 0));
        throwIfCancelled(hooks.cancel);
      },
    });
    entries.set(k, entry);
    hooks.onEntry(entry);
  }
  return { entries: ks.map((k) => entries.get(k)!), threads: working.size };
}

/**
 * The helper thread's side: keeps the data and plan of `init`, draws seed r's kMax seeding on
 * `seed`, runs one K on `k` and answers with its entry; any failure is answered as an error.
 */
export function serveSweepHelper(endpoint: HelperEndpoint): void {
  let job: { data: Matrix; n: number; d: number; plan: SweepPlan } | null = null;
  endpoint.onMessage(async (raw) => {
    const m = raw as ToHelper;
    // The helper serves other stages too: their messages are not for the sweep.
    if (m.type !== 'init' && m.type !== 'seed' && m.type !== 'k') return;
    try {
      if (m.type === 'init') {
        job = { data: m.data, n: m.n, d: m.d, plan: m.plan };
        return;
      }
      if (!job) throw new Error('the helper got work before its data');
      const { data, n, d, plan } = job;
      if (m.type === 'seed') {
        const { centres } = kmeansPlusPlus(data, n, d, plan.kMax, seedRng(plan, m.r));
        endpoint.postMessage({ type: 'seed', centres } satisfies FromHelper);
        return;
      }
      const seedings = m.seedCentres ? m.seedCentres.map((c) => seedingFromCentres(data, n, d, c, m.k)) : null;
      const { entry } = await sweepOneK(data, n, d, m.k, plan, seedings, {
        onRun: () => endpoint.postMessage({ type: 'run', k: m.k } satisfies FromHelper),
      });
      endpoint.postMessage({ type: 'entry', entry } satisfies FromHelper);
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      endpoint.postMessage({ type: 'error', name: err.name, message: err.message } satisfies FromHelper);
    }
  });
}
