// Training options of the graph network: plain data with defaults, for the UI to show and edit.

import { ACTIVATIONS, type Activation } from './kernels/activation';
import { GcnError } from './errors';

export interface GcnOptions {
  /**
   * 'lightgcn': layers only propagate (E_{l+1} = A E_l), no weights, no activation; fast and the
   * stronger recommender on interaction data. 'gcn': each layer is act(A H W + b), optionally
   * L2-normalised; a dense h x h product per layer makes it several times slower per epoch.
   */
  model: 'lightgcn' | 'gcn';
  hidden: number;
  layers: number;
  /** Final vectors: the mean of all layers (0..L, as LightGCN) or the last layer only. */
  combine: 'mean' | 'last';
  /** 'gcn' only. */
  activation: Activation;
  /** 'gcn' only: L2-normalise each layer's output rows. */
  normalize: boolean;
  /** At most this many epochs; an epoch is one full-batch step over every observed user-item pair. */
  epochs: number;
  learningRate: number;
  /** Pull of the node vectors towards where they started (projected encoder vectors, or 0). */
  regularization: number;
  /** Sampled non-interacted items per observed pair and epoch. */
  negatives: number;
  /** Standard deviation of the random part of the initial node vectors. */
  initStd: number;
  /** Length the projected encoder vectors start with (they arrive unit-length). */
  featureScale: number;
  seed: number;
  /** Stop once the loss has not improved by `minDelta` (relative) for `patience` epochs; null = off. */
  earlyStopping: { patience: number; minDelta: number } | null;
}

export const DEFAULT_GCN_OPTIONS: Readonly<GcnOptions> = Object.freeze({
  model: 'lightgcn',
  hidden: 64,
  layers: 2,
  combine: 'mean',
  activation: 'tanh',
  normalize: false,
  epochs: 200,
  learningRate: 0.02,
  // Chosen on validation splits (bench/quality.ts): 1e-4 overfits the generated logs after ~50
  // epochs, 0.1 underfits UCI; 0.03 stays within a few percent of the best setting on each.
  regularization: 0.03,
  negatives: 1,
  initStd: 0.1,
  featureScale: 1,
  seed: 1,
  earlyStopping: { patience: 10, minDelta: 1e-3 },
});

export function resolveGcnOptions(opts: Partial<GcnOptions> = {}): GcnOptions {
  const defined = Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) as Partial<GcnOptions>;
  const o: GcnOptions = { ...DEFAULT_GCN_OPTIONS, ...defined };
  const bad = (msg: string): never => {
    throw new GcnError(msg, 'bad-options');
  };
  const int = (name: string, v: number, min: number): void => {
    if (!(Number.isInteger(v) && v >= min)) bad(`${name} must be a whole number of at least ${min} (got ${v}).`);
  };
  const num = (name: string, v: number, min: number, strict = false): void => {
    if (!(Number.isFinite(v) && (strict ? v > min : v >= min))) bad(`${name} must be a number ${strict ? 'above' : 'of at least'} ${min} (got ${v}).`);
  };
  if (o.model !== 'lightgcn' && o.model !== 'gcn') bad(`The model must be "lightgcn" or "gcn", not "${String(o.model)}".`);
  if (o.combine !== 'mean' && o.combine !== 'last') bad(`Layer combination must be "mean" or "last", not "${String(o.combine)}".`);
  if (!ACTIVATIONS.includes(o.activation)) bad(`The activation must be one of ${ACTIVATIONS.join(', ')}, not "${String(o.activation)}".`);
  int('The hidden size', o.hidden, 1);
  int('The number of layers', o.layers, 0);
  int('The number of epochs', o.epochs, 1);
  int('The number of negatives', o.negatives, 1);
  num('The learning rate', o.learningRate, 0, true);
  num('The regularisation', o.regularization, 0);
  num('The initial spread', o.initStd, 0);
  num('The feature scale', o.featureScale, 0);
  if (!Number.isFinite(o.seed)) bad(`The seed must be a finite number (got ${o.seed}).`);
  if (o.earlyStopping) {
    int('Early-stopping patience', o.earlyStopping.patience, 1);
    num('Early-stopping minimum improvement', o.earlyStopping.minDelta, 0);
  }
  return o;
}
