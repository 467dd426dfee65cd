// The behaviour BERT's embedding across helper threads, the calling side. tfjs's wasm backend
// runs on one thread in Node (its threaded build needs Web Workers), so the CLI used one core of
// two for the longest step of an analysis or of applying a saved model. The batches (sorted by
// length, embed.ts) are dealt round-robin: batch b to way b mod (helpers + 1), way 0 being the
// calling thread. Each helper gets the job once (weights, tokens, item vectors: plain typed
// arrays) and sends each batch's pooled rows back; a batch is the same on any thread with the same
// backend, so the vectors are the same as on one thread (embedThreads.test.ts). A helper that fails
// to start or dies hands its missing batches back to the calling thread. The helper's side is
// embedHelper.ts.
import type { HelperThreads, ThreadPort } from '../threads';
import type { SeqBertArchitecture, SeqBertPooling } from './options';
import type { SeqTokens } from './tokens';
import type { NamedWeight } from './types';

/**
 * What a forward pass over some batches needs, as plain data (typed arrays, numbers, names): the
 * calling thread and the helpers run the same batches from it.
 */
export interface EmbedJob {
  arch: SeqBertArchitecture;
  /** The model's weights for this table's items and types (alignVocab), as floats. */
  weights: NamedWeight[];
  tok: SeqTokens;
  types: number;
  items: number;
  itemVectors: Float32Array;
  itemDims: number;
  /** Sequence indices, shortest first: batch b is order[starts[b] .. starts[b + 1]). */
  order: Int32Array;
  starts: Int32Array;
  /** The passes: the item reading (mean / CLS pooling) and the item-hidden behaviour reading are separate. */
  passes: { anonymous: boolean; hows: SeqBertPooling[] }[];
}

export interface EmbedRunMessage {
  type: 'embed-run';
  /** The calling thread's tfjs backend: the helper runs the same one, or refuses. */
  backend: string;
  job: EmbedJob;
  /** This helper's batches (the same in every pass). */
  batches: Int32Array;
}

export type EmbedHelperReply =
  | { type: 'embed-batch'; pass: number; batch: number; pooled: Float32Array[] }
  | { type: 'embed-done' }
  | { type: 'embed-error'; message: string };

/** One batch's result: its pooled rows, or null when its helper failed (the caller runs it). */
export interface HelperBatch {
  pass: number;
  batch: number;
  pooled: Float32Array[] | null;
}

export interface EmbedHelpers {
  /** Helpers started: batch b belongs to helper (b mod (count + 1)), 0 being the caller. */
  count: number;
  /** Every helper batch, once all helpers finished or failed. */
  results(): Promise<HelperBatch[]>;
  stop(): void;
}

/** Starts size - 1 helpers on `job` (the calling thread is the size-th way). */
export function startEmbedHelpers(helpers: HelperThreads, job: EmbedJob, backend: string): EmbedHelpers {
  const count = helpers.size - 1;
  const ways = count + 1;
  const batches = job.starts.length - 1;
  const ports: ThreadPort[] = [];
  const done: Promise<HelperBatch[]>[] = [];
  for (let w = 1; w <= count; w++) {
    const list: number[] = [];
    for (let b = w; b < batches; b += ways) list.push(b);
    const mine = Int32Array.from(list);
    done.push(
      new Promise<HelperBatch[]>((resolve) => {
        const got = new Map<string, Float32Array[]>();
        let settled = false;
        const finish = (): void => {
          if (settled) return;
          settled = true;
          const out: HelperBatch[] = [];
          for (let pass = 0; pass < job.passes.length; pass++) for (const batch of mine) out.push({ pass, batch, pooled: got.get(`${pass}:${batch}`) ?? null });
          resolve(out);
        };
        let port: ThreadPort;
        try {
          port = helpers.spawn();
        } catch {
          finish();
          return;
        }
        ports.push(port);
        port.onMessage((m) => {
          const r = m as EmbedHelperReply;
          if (r.type === 'embed-batch') got.set(`${r.pass}:${r.batch}`, r.pooled);
          else if (r.type === 'embed-done' || r.type === 'embed-error') finish();
        });
        port.onError(() => finish());
        port.postMessage({ type: 'embed-run', backend, job, batches: mine } satisfies EmbedRunMessage);
      }),
    );
  }
  return {
    count,
    results: async () => (await Promise.all(done)).flat(),
    stop() {
      for (const p of ports) p.terminate();
    },
  };
}
