// The stage's entry point for the pipeline: graph from the sequences, node vectors from the
// encoder, training, and the vectors the later stages use (sequence vectors to cluster, item
// vectors to recommend with), plus the report the CLI and UI show.

import type { EventTable } from '../ingest/table';
import type { Sequences } from '../sequences';
import { buildGraph, type Graph } from '../graph/build';
import { nnz } from '../graph/csr';
import type { GraphOptions } from '../graph/options';
import { projectFeatures, type EncoderVectors } from './features';
import { resolveGcnOptions, type GcnOptions } from './options';
import { trainGcn, type TrainHooks } from './train';

export type RunGcnOptions = Partial<GcnOptions> & { graph?: Partial<GraphOptions> };

/** Training's hooks, and one more: the graph is built (before the first epoch). */
export interface RunGcnHooks extends TrainHooks {
  onGraph?: (graph: Graph, buildMs: number) => void;
}

/** The `gcn` key of the analysis report. */
export interface GcnReport {
  device: 'cpu' | 'webgpu';
  epochs: number;
  loss: number[];
  nodes: number;
  /** Stored entries of the normalised adjacency (both directions of each link, and self-loops): what an epoch walks. */
  edges: number;
}

export interface GcnResult {
  /** sequences x dims, row i for sequence i: for clustering (L2-normalise rows first; see normalizeRows). */
  userVectors: Float32Array;
  /** table.items.length x dims, row i for table item i: score an item for a user by the dot product. */
  itemVectors: Float32Array;
  dims: number;
  report: GcnReport;
  /** Details beyond the report: how the graph came out and how training went. */
  stats: {
    counts: Graph['counts'];
    stoppedEarly: boolean;
    buildMs: number;
    msPerEpoch: number;
    trainMs: number;
    features: 'encoder' | 'none';
    /** The resolved options trained with (layers, hidden size, model ...). */
    options: GcnOptions;
    /** Why training left the GPU part-way, if it did. */
    fallback: string | null;
  };
}

export async function runGcn(
  table: EventTable,
  sequences: Sequences,
  encoder: EncoderVectors | null,
  options: RunGcnOptions = {},
  hooks: RunGcnHooks = {},
): Promise<GcnResult> {
  const { graph: graphOptions, ...gcnOptions } = options;
  const o = resolveGcnOptions(gcnOptions);
  const t0 = performance.now();
  const graph = buildGraph(table, sequences, graphOptions);
  const buildMs = performance.now() - t0;
  hooks.onGraph?.(graph, buildMs);
  const anchor = encoder ? projectFeatures(encoder, graph.users, graph.items, o.hidden, o.seed, o.featureScale) : null;
  const t1 = performance.now();
  const { onGraph: _onGraph, ...trainHooks } = hooks;
  const trained = await trainGcn(graph, anchor, o, trainHooks);
  const trainMs = performance.now() - t1;
  const h = o.hidden;
  return {
    userVectors: trained.z.slice(0, graph.users * h),
    itemVectors: trained.z.slice(graph.users * h),
    dims: h,
    report: { device: trained.device, epochs: trained.epochs, loss: trained.loss, nodes: graph.nodes, edges: nnz(graph.adj) },
    stats: {
      counts: graph.counts,
      stoppedEarly: trained.stoppedEarly,
      buildMs,
      msPerEpoch: trained.msPerEpoch,
      trainMs,
      features: encoder ? 'encoder' : 'none',
      options: o,
      fallback: trained.fallback,
    },
  };
}

/** Unit-length copies of the rows (zero rows stay zero): what k-means should see of the GCN vectors. */
export function normalizeRows(x: Float32Array, d: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let r = 0; r < x.length / d; r++) {
    let sq = 0;
    for (let j = 0; j < d; j++) sq += x[r * d + j] ** 2;
    if (sq === 0) continue;
    const inv = 1 / Math.sqrt(sq);
    for (let j = 0; j < d; j++) out[r * d + j] = x[r * d + j] * inv;
  }
  return out;
}
