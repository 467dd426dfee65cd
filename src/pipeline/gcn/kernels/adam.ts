// Optimiser and regulariser, elementwise over flat parameter arrays.

export interface AdamConfig {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
}

export const DEFAULT_ADAM: Readonly<Omit<AdamConfig, 'lr'>> = Object.freeze({ beta1: 0.9, beta2: 0.999, eps: 1e-8 });

/** One Adam step (Kingma & Ba, with bias correction); `step` counts from 1. m and v hold the moments. */
export function adamStep(param: Float32Array, grad: Float32Array, m: Float32Array, v: Float32Array, step: number, cfg: AdamConfig): void {
  const { lr, beta1, beta2, eps } = cfg;
  const c1 = 1 - beta1 ** step;
  const c2 = 1 - beta2 ** step;
  for (let k = 0; k < param.length; k++) {
    const g = grad[k];
    const mk = beta1 * m[k] + (1 - beta1) * g;
    const vk = beta2 * v[k] + (1 - beta2) * g * g;
    m[k] = mk;
    v[k] = vk;
    param[k] -= (lr * (mk / c1)) / (Math.sqrt(vk / c2) + eps);
  }
}

/**
 * Adds (lambda / 2) * scale * |param - anchor|^2 to the loss (returned) and its gradient to grad.
 * The anchor is what the parameters started from (projected encoder vectors, or zero), so nodes
 * with little data stay close to what their text says instead of drifting to noise.
 */
export function anchorPenalty(param: Float32Array, anchor: Float32Array | null, lambda: number, scale: number, grad: Float32Array): number {
  if (lambda === 0) return 0;
  const f = lambda * scale;
  let sq = 0;
  for (let k = 0; k < param.length; k++) {
    const diff = param[k] - (anchor ? anchor[k] : 0);
    sq += diff * diff;
    grad[k] += f * diff;
  }
  return 0.5 * f * sq;
}
