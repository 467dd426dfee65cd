// The GCN's seeded PRNG is the same sfc32 as the synthetic-log generator's (one implementation,
// identical streams, numeric/sfc32.ts); it is only kept apart from the clustering RNG (numeric/random.ts), so that
// tuning that one never changes a trained graph network.
export { Random as GcnRandom } from '../numeric/sfc32';
