// The GCN's numeric kernels: pure CPU functions over typed arrays that a WGSL twin must reproduce
// (same inputs, same summation order, float32 storage).
export { spmm, spmmBackward } from './sparse';
export { axpy, matmul, matmulNT, matmulTN, scaleInto } from './dense';
export { ACTIVATIONS, biasActNorm, biasActNormBackward, LEAKY_SLOPE, NORM_EPS, type Activation } from './activation';
export { bprCoefficients, bprScatter } from './bpr';
export { adamStep, anchorPenalty, DEFAULT_ADAM, type AdamConfig } from './adam';
