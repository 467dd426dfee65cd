// The training loop: full-batch BPR with Adam, one step per epoch (every observed pair with fresh
// negatives), a progress callback and a cancel check after each epoch, and early stopping on the
// loss. One step per epoch keeps the cost of an epoch at L sparse products forward and L back,
// whatever the number of pairs, which is what makes a million edges fit in a second.

import type { Graph } from '../graph/build';
import { GcnError, gcnCancelled } from './errors';
import { adamStep, anchorPenalty, DEFAULT_ADAM } from './kernels/adam';
import { bprCoefficients, bprScatter } from './kernels/bpr';
import { GcnModel, type ModelParams, type ModelShape } from './model';
import { cpuPropagator, gpuPropagator, type LightgcnKernels, type PropagationDevice, type Propagator } from './propagate';
import { resolveGcnOptions, type GcnOptions } from './options';
import { GcnRandom } from './random';
import { TripleSampler } from './sampler';

export interface GcnProgress {
  epoch: number;
  epochs: number;
  loss: number;
  ms: number;
}

export interface TrainHooks {
  onProgress?: (p: GcnProgress) => void;
  /**
   * Propagate on the GPU with these kernels (LightGCN only). If they fail (a lost device, an
   * error scope), training carries on from that epoch on the CPU and `fallback` says why.
   */
  gpu?: LightgcnKernels | null;
  cancel?: { cancelled: boolean };
  /** Set `requested` to end training after the current epoch, keeping the vectors trained so far (stoppedEarly is then true). */
  stop?: { requested: boolean };
  /**
   * After each of these epochs, onCheckpoint sees the vectors as they are then (nodes x hidden:
   * sequence nodes, then item nodes), e.g. to score a validation split and keep the best epoch.
   * The array is only valid during the call.
   */
  checkpoints?: readonly number[];
  onCheckpoint?: (epoch: number, z: Float32Array) => void | Promise<void>;
}

export interface TrainResult {
  /** nodes x hidden: the final vectors (layer combination) of every node. */
  z: Float32Array;
  hidden: number;
  epochs: number;
  /** Loss of each epoch (BPR mean plus the regularisation term), before that epoch's step. */
  loss: number[];
  stoppedEarly: boolean;
  msPerEpoch: number;
  params: ModelParams;
  /** Where the propagation ran at the end ('cpu' after a fallback). */
  device: PropagationDevice;
  /** Why training left the GPU, if it did. */
  fallback: string | null;
}

/** Lets a worker's message loop run (cancel requests arrive as messages) between epochs. */
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * Trains on a built graph. `anchor` (nodes x hidden, or null) is where node vectors start and what
 * the regularisation pulls them back to: the projected encoder vectors.
 */
export async function trainGcn(graph: Graph, anchor: Float32Array | null, options: Partial<GcnOptions> = {}, hooks: TrainHooks = {}): Promise<TrainResult> {
  const o = resolveGcnOptions(options);
  const { nodes } = graph;
  const h = o.hidden;
  if (anchor && anchor.length !== nodes * h) throw new GcnError(`Initial vectors hold ${anchor.length} numbers, not ${nodes} x ${h}.`, 'bad-input');
  if (hooks.cancel?.cancelled) throw gcnCancelled();

  const rng = new GcnRandom(o.seed);
  const params = initParams(nodes, h, o, anchor, rng);
  // buildGraph's adjacency is symmetric, so it serves as its own transpose in the backward pass.
  const shape: ModelShape = { nodes, hidden: h, layers: o.layers, model: o.model, combine: o.combine, activation: o.activation, normalize: o.normalize };
  const model = new GcnModel(shape, graph.adj, graph.adj);
  const cpu = cpuPropagator(model);
  let prop: Propagator = hooks.gpu && o.model === 'lightgcn' ? gpuPropagator(hooks.gpu, graph.adj, graph.adj, shape) : cpu;
  let fallback: string | null = null;
  /** Runs a propagation step; a GPU failure moves this and every later step to the CPU. */
  const run = async <T>(step: (p: Propagator) => Promise<T>): Promise<T> => {
    if (prop === cpu) return step(cpu);
    try {
      return await step(prop);
    } catch (e) {
      fallback = e instanceof Error ? e.message : String(e);
      prop = cpu;
      return step(cpu);
    }
  };
  const sampler = new TripleSampler(graph.links, o.negatives);
  const coef = new Float32Array(sampler.count);
  const dz = new Float32Array(nodes * h);
  const moments = params.weights.concat(params.biases, [params.emb]).map((p) => ({ m: new Float32Array(p.length), v: new Float32Array(p.length) }));
  const identity = params.weights.map(() => identityMatrix(h));
  const adam = { ...DEFAULT_ADAM, lr: o.learningRate };

  const loss: number[] = [];
  let best = Infinity;
  let sinceBest = 0;
  let stoppedEarly = false;
  const started = performance.now();
  let lastYield = started;
  for (let epoch = 1; epoch <= o.epochs; epoch++) {
    const t0 = performance.now();
    sampler.resample(rng);
    const z = await run((p) => p.forward(params));
    let l = bprCoefficients(z, h, sampler.pu, sampler.pi, sampler.pj, sampler.count, coef);
    dz.fill(0);
    bprScatter(z, h, sampler.pu, sampler.pi, sampler.pj, sampler.count, coef, dz);
    // After a fallback inside backward, the CPU model needs its own forward pass first.
    const g = await run(async (p) => {
      if (p === cpu && prop === cpu && z !== model.z) model.forward(params);
      return p.backward(params, dz);
    });
    // Mean over nodes for the embeddings, so the pull does not grow with the graph.
    l += anchorPenalty(params.emb, anchor, o.regularization, 1 / nodes, g.emb);
    params.weights.forEach((w, k) => (l += anchorPenalty(w, identity[k], o.regularization, 1 / h, g.weights[k])));
    const all = params.weights.concat(params.biases, [params.emb]);
    const grads = g.weights.concat(g.biases, [g.emb]);
    all.forEach((p, k) => adamStep(p, grads[k], moments[k].m, moments[k].v, epoch, adam));
    if (!Number.isFinite(l))
      throw new GcnError(
        `Training diverged at epoch ${epoch} (loss ${l}): the input vectors or the event weights hold extreme values, or there is too little data to train on.`,
        'bad-options',
      );
    loss.push(l);
    hooks.onProgress?.({ epoch, epochs: o.epochs, loss: l, ms: performance.now() - t0 });

    if (o.earlyStopping) {
      if (l < best * (1 - o.earlyStopping.minDelta)) {
        best = l;
        sinceBest = 0;
      } else if (++sinceBest >= o.earlyStopping.patience) {
        stoppedEarly = epoch < o.epochs;
        break;
      }
    }
    if (hooks.onCheckpoint && hooks.checkpoints?.includes(epoch)) await hooks.onCheckpoint(epoch, Float32Array.from(await run((p) => p.forward(params))));
    if (performance.now() - lastYield > 50) {
      await yieldToEventLoop();
      lastYield = performance.now();
    }
    if (hooks.cancel?.cancelled) throw gcnCancelled();
    if (hooks.stop?.requested) {
      stoppedEarly = epoch < o.epochs;
      break;
    }
  }
  const msPerEpoch = (performance.now() - started) / Math.max(1, loss.length);
  const z = Float32Array.from(await run((p) => p.forward(params)));
  return { z, hidden: h, epochs: loss.length, loss, stoppedEarly, msPerEpoch, params, device: prop.device, fallback };
}

function initParams(nodes: number, h: number, o: GcnOptions, anchor: Float32Array | null, rng: GcnRandom): ModelParams {
  const emb = new Float32Array(nodes * h);
  for (let k = 0; k < emb.length; k++) emb[k] = (anchor ? anchor[k] : 0) + o.initStd * rng.normal();
  const gcn = o.model === 'gcn';
  // Identity weights plus noise: at the start each layer propagates much as LightGCN does.
  const weights = gcn ? Array.from({ length: o.layers }, () => identityMatrix(h).map((v) => v + 0.01 * rng.normal())) : [];
  const biases = gcn ? Array.from({ length: o.layers }, () => new Float32Array(h)) : [];
  return { emb, weights, biases };
}

function identityMatrix(h: number): Float32Array {
  const m = new Float32Array(h * h);
  for (let k = 0; k < h; k++) m[k * h + k] = 1;
  return m;
}
