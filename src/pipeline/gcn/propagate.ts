// Where the graph network's propagation runs: the CPU kernels (GcnModel) or the WGSL kernels
// (./gpu/gcnGpu.ts). Training (train.ts) only sees this interface: the sampling, the BPR loss and
// Adam stay on the CPU (they are cheap and sequential), while the sparse products over every
// stored edge, which are most of an epoch, move to the GPU. LightGCN only: the 'gcn' variant's
// dense layers have no GPU path and always propagate on the CPU.
import type { Csr } from '../graph/csr';
import type { GcnGpu } from './gpu/gcnGpu';
import type { GcnModel, ModelParams, ModelShape } from './model';

export type PropagationDevice = 'cpu' | 'webgpu';

export interface Propagator {
  readonly device: PropagationDevice;
  /** Z for the parameters. */
  forward(p: ModelParams): Promise<Float32Array>;
  /** Gradients at the parameters for dL/dZ = dz (forward must have run on p). */
  backward(p: ModelParams, dz: Float32Array): Promise<ModelParams>;
}

export function cpuPropagator(model: GcnModel): Propagator {
  return {
    device: 'cpu',
    forward: async (p) => model.forward(p),
    backward: async (p, dz) => model.backward(p, dz),
  };
}

/** The two LightGCN programs of GcnGpu (a test can stand in for the GPU with anything that has them). */
export type LightgcnKernels = Pick<GcnGpu, 'lightgcnForward' | 'lightgcnBackward'>;

/**
 * LightGCN propagation on the GPU: one submission for Z = sum_l alpha_l A^l E and one for
 * dE = sum_l alpha_l (A^T)^l dZ; the adjacency is uploaded once and kept for every epoch.
 */
export function gpuPropagator(kernels: LightgcnKernels, adj: Csr, adjT: Csr, shape: ModelShape): Propagator {
  if (shape.model !== 'lightgcn') throw new Error("Only LightGCN propagates on the GPU; the 'gcn' variant trains on the CPU.");
  const { hidden: d, layers, combine } = shape;
  const grads: ModelParams = { emb: new Float32Array(shape.nodes * d), weights: [], biases: [] };
  return {
    device: 'webgpu',
    forward: (p) => kernels.lightgcnForward(adj, p.emb, d, layers, combine),
    backward: async (_p, dz) => {
      grads.emb.set(await kernels.lightgcnBackward(adjT, dz, d, layers, combine));
      return grads;
    },
  };
}
