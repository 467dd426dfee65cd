import { describe, expect, it } from 'vitest';
import { bprCoefficients, bprScatter } from './kernels';
import { GcnModel, layerWeights, type ModelParams, type ModelShape } from './model';
import { GcnRandom } from './random';
import { expectGradient, randomAdjacency, randomArray, weightedSum } from '../../../test/lib/gcnTestUtil';

const NODES = 9;
const D = 4;

function setup(shape: Omit<ModelShape, 'nodes' | 'hidden'>, seed = 1) {
  const rng = new GcnRandom(seed);
  const adj = randomAdjacency(rng, NODES, 0.35);
  const full: ModelShape = { nodes: NODES, hidden: D, ...shape };
  const model = new GcnModel(full, adj, adj);
  const gcn = shape.model === 'gcn';
  const params: ModelParams = {
    emb: randomArray(rng, NODES * D, 0.8),
    weights: gcn ? Array.from({ length: shape.layers }, () => randomArray(rng, D * D, 0.6)) : [],
    biases: gcn ? Array.from({ length: shape.layers }, () => randomArray(rng, D, 0.2)) : [],
  };
  const c = randomArray(rng, NODES * D);
  return { model, params, c, adj };
}

const SHAPES: Omit<ModelShape, 'nodes' | 'hidden'>[] = [
  { model: 'lightgcn', layers: 0, combine: 'mean', activation: 'none', normalize: false },
  { model: 'lightgcn', layers: 1, combine: 'mean', activation: 'none', normalize: false },
  { model: 'lightgcn', layers: 3, combine: 'mean', activation: 'none', normalize: false },
  { model: 'lightgcn', layers: 2, combine: 'last', activation: 'none', normalize: false },
  { model: 'gcn', layers: 2, combine: 'mean', activation: 'tanh', normalize: false },
  { model: 'gcn', layers: 2, combine: 'mean', activation: 'tanh', normalize: true },
  { model: 'gcn', layers: 1, combine: 'last', activation: 'leakyRelu', normalize: true },
];

describe('GCN model backward', () => {
  for (const shape of SHAPES) {
    it(`matches finite differences: ${shape.model}, ${shape.layers} layers, ${shape.combine}, ${shape.activation}${shape.normalize ? ', normalised' : ''}`, () => {
      const { model, params, c } = setup(shape);
      const loss = (): number => weightedSum(c, model.forward(params));
      loss();
      const g = model.backward(params, c);
      const emb = Float32Array.from(g.emb);
      const weights = g.weights.map((w) => Float32Array.from(w));
      const biases = g.biases.map((b) => Float32Array.from(b));
      expectGradient(params.emb, emb, loss, { eps: 1e-3 });
      params.weights.forEach((w, l) => expectGradient(w, weights[l], loss, { eps: 1e-3 }));
      params.biases.forEach((b, l) => expectGradient(b, biases[l], loss, { eps: 1e-3 }));
    });
  }

  it('LightGCN forward is the layer mean of A^l E', () => {
    const { model, params, adj } = setup({ model: 'lightgcn', layers: 2, combine: 'mean', activation: 'none', normalize: false });
    const z = model.forward(params);
    // Dense reference.
    const a = new Float64Array(NODES * NODES);
    for (let r = 0; r < NODES; r++) for (let k = adj.rowPtr[r]; k < adj.rowPtr[r + 1]; k++) a[r * NODES + adj.colIdx[k]] = adj.values[k];
    const mul = (x: Float64Array): Float64Array => {
      const out = new Float64Array(NODES * D);
      for (let r = 0; r < NODES; r++) for (let t = 0; t < NODES; t++) for (let j = 0; j < D; j++) out[r * D + j] += a[r * NODES + t] * x[t * D + j];
      return out;
    };
    const e0 = Float64Array.from(params.emb);
    const e1 = mul(e0);
    const e2 = mul(e1);
    const alpha = layerWeights(2, 'mean');
    for (let k = 0; k < z.length; k++) expect(z[k]).toBeCloseTo(alpha[0] * e0[k] + alpha[1] * e1[k] + alpha[2] * e2[k], 5);
  });

  it('end to end, BPR through LightGCN matches finite differences', () => {
    const { model, params } = setup({ model: 'lightgcn', layers: 2, combine: 'mean', activation: 'none', normalize: false }, 4);
    const pu = Int32Array.of(0, 1, 2, 2);
    const pi = Int32Array.of(5, 6, 7, 5);
    const pj = Int32Array.of(8, 5, 6, 8);
    const coef = new Float32Array(4);
    const loss = (): number => bprCoefficients(model.forward(params), D, pu, pi, pj, 4, coef);
    loss();
    const dz = new Float32Array(NODES * D);
    bprScatter(model.z, D, pu, pi, pj, 4, coef, dz);
    const g = Float32Array.from(model.backward(params, dz).emb);
    expectGradient(params.emb, g, loss, { eps: 1e-3 });
  });
});
