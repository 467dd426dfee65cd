// Forward and hand-written backward passes of the two layer stacks, over buffers allocated once:
//   lightgcn: H_0 = E, H_{l+1} = A H_l
//   gcn:      H_0 = E, S_l = A H_l, T_l = S_l W_l, H_{l+1} = norm(act(T_l + b_l))
// and Z = sum_l alpha_l H_l (alpha = 1/(L+1) each for 'mean', only the last layer for 'last').
// A is the symmetric normalised adjacency; the backward multiplies by its transpose (itself).

import type { Csr } from '../graph/csr';
import { biasActNorm, biasActNormBackward, type Activation } from './kernels/activation';
import { axpy, matmul, matmulNT, matmulTN, scaleInto } from './kernels/dense';
import { spmm, spmmBackward } from './kernels/sparse';

export interface ModelShape {
  nodes: number;
  hidden: number;
  layers: number;
  model: 'lightgcn' | 'gcn';
  combine: 'mean' | 'last';
  activation: Activation;
  normalize: boolean;
}

export interface ModelParams {
  /** nodes x hidden: the trainable input vector of every node. */
  emb: Float32Array;
  /** 'gcn' only: per layer, hidden x hidden and hidden. */
  weights: Float32Array[];
  biases: Float32Array[];
}

export function layerWeights(layers: number, combine: 'mean' | 'last'): Float64Array {
  const alpha = new Float64Array(layers + 1);
  if (combine === 'mean') alpha.fill(1 / (layers + 1));
  else alpha[layers] = 1;
  return alpha;
}

export class GcnModel {
  readonly alpha: Float64Array;
  readonly z: Float32Array;
  readonly grads: ModelParams;
  private readonly size: number;
  // Per layer, kept from forward for backward ('gcn'); two ping-pong buffers suffice for 'lightgcn'.
  private readonly s: Float32Array[] = [];
  private readonly t: Float32Array[] = [];
  private readonly h: Float32Array[] = [];
  private readonly norms: (Float32Array | null)[] = [];
  private readonly bufA: Float32Array;
  private readonly bufB: Float32Array;
  private readonly dBias: Float64Array;
  private readonly dT: Float32Array | null = null;
  private readonly dS: Float32Array | null = null;

  constructor(
    readonly shape: ModelShape,
    private readonly adj: Csr,
    private readonly adjT: Csr,
  ) {
    const { nodes, hidden, layers } = shape;
    this.size = nodes * hidden;
    this.alpha = layerWeights(layers, shape.combine);
    this.z = new Float32Array(this.size);
    this.bufA = new Float32Array(this.size);
    this.bufB = new Float32Array(this.size);
    this.dBias = new Float64Array(hidden);
    const gcn = shape.model === 'gcn';
    this.grads = {
      emb: new Float32Array(this.size),
      weights: gcn ? Array.from({ length: layers }, () => new Float32Array(hidden * hidden)) : [],
      biases: gcn ? Array.from({ length: layers }, () => new Float32Array(hidden)) : [],
    };
    if (gcn) {
      this.dT = new Float32Array(this.size);
      this.dS = new Float32Array(this.size);
      for (let l = 0; l < layers; l++) {
        this.s.push(new Float32Array(this.size));
        this.t.push(new Float32Array(this.size));
        this.h.push(new Float32Array(this.size));
        this.norms.push(shape.normalize ? new Float32Array(nodes) : null);
      }
    }
  }

  /** Z for the given parameters (into this.z, which is returned). */
  forward(p: ModelParams): Float32Array {
    const { hidden: d, layers, nodes } = this.shape;
    scaleInto(this.alpha[0], p.emb, this.z);
    if (this.shape.model === 'lightgcn') {
      let cur = p.emb;
      for (let l = 0; l < layers; l++) {
        const next = cur === this.bufA ? this.bufB : this.bufA;
        spmm(this.adj, cur, d, next);
        axpy(this.alpha[l + 1], next, this.z);
        cur = next;
      }
      return this.z;
    }
    let cur = p.emb;
    for (let l = 0; l < layers; l++) {
      spmm(this.adj, cur, d, this.s[l]);
      matmul(this.s[l], p.weights[l], nodes, d, d, this.t[l]);
      biasActNorm(this.t[l], p.biases[l], nodes, d, this.shape.activation, this.shape.normalize, this.h[l], this.norms[l]);
      axpy(this.alpha[l + 1], this.h[l], this.z);
      cur = this.h[l];
    }
    return this.z;
  }

  /** Gradients of a loss with gradient dz at Z (into this.grads); forward must have run on p. */
  backward(p: ModelParams, dz: Float32Array): ModelParams {
    const { hidden: d, layers, nodes } = this.shape;
    const g = this.grads;
    // dH_L = alpha_L dZ, then down the stack dH_l = (back through layer l) + alpha_l dZ.
    let dh = layers === 0 ? g.emb : this.bufA;
    scaleInto(this.alpha[layers], dz, dh);
    for (let l = layers - 1; l >= 0; l--) {
      const into = l === 0 ? g.emb : dh === this.bufA ? this.bufB : this.bufA;
      if (this.shape.model === 'lightgcn') {
        spmmBackward(this.adjT, dh, d, into);
      } else {
        const dT = this.dT as Float32Array;
        const dS = this.dS as Float32Array;
        this.dBias.fill(0);
        biasActNormBackward(dh, this.t[l], p.biases[l], this.h[l], this.norms[l], nodes, d, this.shape.activation, this.shape.normalize, dT, this.dBias);
        for (let j = 0; j < d; j++) g.biases[l][j] = this.dBias[j];
        matmulTN(this.s[l], dT, nodes, d, d, g.weights[l]);
        matmulNT(dT, p.weights[l], nodes, d, d, dS);
        spmmBackward(this.adjT, dS, d, into);
      }
      axpy(this.alpha[l], dz, into);
      dh = into;
    }
    return g;
  }
}
