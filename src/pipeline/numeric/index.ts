// Numeric helpers shared by the stages: seeded generators, squared distances, matrix shapes.
export { rowSquaredDistance, rowSquaredDistance4, squaredDistance, squaredDistance64 } from './distance';
export { Rng, sampleWithoutReplacement, xorshift32 } from './random';
export { hash32, Random as Sfc32Random, sampleCumulative } from './sfc32';
export { checkHolds, checkWidth, type Matrix } from './shape';
