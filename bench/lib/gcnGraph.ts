// The generated behaviour graphs of bench/gcn.ts, shared by its Node cases and by the browser
// worker (bench/lib/gcnBrowserWorker.ts), so that both paths in both runtimes train on the very same
// graph: same generator, same seed, same event-count search. Pure (no Node or DOM APIs).
import { buildGraph, nnz, type Graph } from '../../src/pipeline/graph';
import { EVENT_TYPES, generateLog } from '../../src/pipeline/synth';

// 2m: a million undirected links is about two million stored entries, for readers who count edges that way.
export const GCN_TARGETS: Record<string, number> = { '10k': 10_000, '100k': 100_000, '1m': 1_000_000, '2m': 2_000_000 };
export const GCN_SEED = 42;

/** A generated log as the graph builder reads it: events grouped by user, in time order. */
export function synthGraph(events: number): Graph {
  const log = generateLog({
    seed: GCN_SEED,
    events,
    users: Math.max(1, Math.round(events / 16)),
    items: Math.min(50_000, Math.max(1_000, Math.round(events / 50))),
    segments: 6,
    categories: 24,
  });
  const users = log.params.users;
  // The log is in global time order, so a stable counting sort by user keeps each user's order.
  const start = new Int32Array(users + 1);
  for (let e = 0; e < log.length; e++) start[log.user[e] + 1]++;
  for (let u = 0; u < users; u++) start[u + 1] += start[u];
  const cursor = start.slice(0, users);
  const order = new Int32Array(log.length);
  for (let e = 0; e < log.length; e++) order[cursor[log.user[e]]++] = e;
  const offsets: number[] = [0];
  for (let u = 0; u < users; u++) if (start[u + 1] > start[u]) offsets.push(start[u + 1]);
  const table = { item: log.item, type: log.type, time: log.time, typeNames: [...EVENT_TYPES], items: new Array<string>(log.catalog.size) };
  return buildGraph(table, { count: offsets.length - 1, offsets: Int32Array.from(offsets), events: order });
}

/** Events whose graph has about `target` stored edges (graph size grows a little slower than linearly). */
export function graphNear(target: number): { graph: Graph; events: number } {
  let events = Math.max(500, Math.round(target / 3.3));
  let graph = synthGraph(events);
  for (let step = 0; step < 4 && Math.abs(nnz(graph.adj) / target - 1) > 0.03; step++) {
    events = Math.round(events * (target / nnz(graph.adj)) ** 1.1);
    graph = synthGraph(events);
  }
  return { graph, events };
}
