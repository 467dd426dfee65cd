// Helper "threads" inside the test's own thread: each runs the real helper services
// (serveSweepHelper, serveIngestHelper) behind a port that delivers structured clones a macrotask
// later, as a real thread would. `crash(message, helper, nth)` may make a helper die instead of
// taking a message (nth counts the messages sent to that helper, from 0).
import { serveSweepHelper } from '../../src/pipeline/cluster/sweepThreads';
import { serveIngestHelper, type SharedSource } from '../../src/pipeline/ingest/parts';
import { serveListsHelper } from '../../src/pipeline/recommend/perUser/listThreads';
import type { HelperThreads, ThreadPort } from '../../src/pipeline/threads';

export interface InProcessStats {
  spawned: number;
  terminated: number;
  /** `helper:type` of every message sent to a helper, in order. */
  messages: string[];
}

export function inProcessThreads(
  size: number,
  crash?: (message: { type: string }, helper: number, nth: number) => boolean,
): { threads: HelperThreads; stats: InProcessStats } {
  const stats: InProcessStats = { spawned: 0, terminated: 0, messages: [] };
  const threads: HelperThreads = {
    size,
    spawn(): ThreadPort {
      const id = stats.spawned++;
      let dead = false;
      let seen = 0;
      const toHelper: ((m: unknown) => void)[] = [];
      const toDriver: ((m: unknown) => void)[] = [];
      const onError: ((reason: string) => void)[] = [];
      const endpoint = {
        postMessage: (m: unknown) => setTimeout(() => !dead && toDriver.forEach((l) => l(structuredClone(m)))),
        onMessage: (l: (m: unknown) => void) => toHelper.push(l),
      };
      serveSweepHelper(endpoint);
      serveListsHelper(endpoint);
      serveIngestHelper(endpoint, (source: SharedSource, start, end) => {
        if (source.kind !== 'blob') throw new Error('in-process helpers read blobs');
        return source.blob.slice(start, end).stream();
      });
      return {
        postMessage(m) {
          const type = (m as { type: string }).type;
          stats.messages.push(`${id}:${type}`);
          if (crash?.(m as { type: string }, id, seen++)) {
            dead = true;
            setTimeout(() => onError.forEach((l) => l('helper crashed')));
            return;
          }
          // A Blob is passed by reference between real threads; structuredClone keeps it a Blob.
          setTimeout(() => !dead && toHelper.forEach((l) => l(structuredClone(m))));
        },
        onMessage: (l) => toDriver.push(l),
        onError: (l) => onError.push(l),
        terminate() {
          if (!dead) stats.terminated++;
          dead = true;
        },
      };
    },
  };
  return { threads, stats };
}
