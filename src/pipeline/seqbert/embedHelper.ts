// The helper's side of embedThreads.ts: starts the calling thread's tfjs backend (wasm files from
// node_modules in Node), runs its batches of the job and sends each one's pooled rows back.
import * as tf from '@tensorflow/tfjs-core';
import type { HelperEndpoint } from '../threads';
import { initBackend } from './backend';
import { RowMap } from './batch';
import { prepareJob, runBatch } from './embed';
import type { EmbedHelperReply, EmbedRunMessage } from './embedThreads';

export function serveEmbedHelper(endpoint: HelperEndpoint): void {
  endpoint.onMessage((message) => {
    const m = message as EmbedRunMessage | null;
    if (m?.type !== 'embed-run') return;
    void run(endpoint, m);
  });
}

async function run(endpoint: HelperEndpoint, m: EmbedRunMessage): Promise<void> {
  const reply = (r: EmbedHelperReply): void => endpoint.postMessage(r);
  try {
    if (m.backend !== 'wasm' && m.backend !== 'cpu') throw new Error(`embedding helpers run wasm or cpu, not ${m.backend}`);
    // wasm on one thread: the helpers are the threads.
    if (tf.getBackend() !== m.backend) await initBackend(m.backend, null, false);
    if (tf.getBackend() !== m.backend) throw new Error(`the helper started ${tf.getBackend()}, not ${m.backend}`);
    const prepared = prepareJob(m.job);
    try {
      const rows = new RowMap(m.job.items);
      for (let pass = 0; pass < m.job.passes.length; pass++)
        for (const batch of m.batches) reply({ type: 'embed-batch', pass, batch, pooled: await runBatch(m.job, prepared, rows, pass, batch) });
    } finally {
      prepared.dispose();
    }
    reply({ type: 'embed-done' });
  } catch (e) {
    reply({ type: 'embed-error', message: e instanceof Error ? e.message : String(e) });
  }
}
