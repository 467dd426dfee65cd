// Test helper: a small saved model (.seqlens contents) of random numbers, complete in every part,
// for the model file's and the apply step's tests.
import { Random } from '../../src/pipeline/numeric/sfc32';
import type { ClusterProfiles } from '../../src/pipeline/profile';
import { DEFAULT_SEQUENCE_OPTIONS } from '../../src/pipeline/types';
import { APP_VERSION, MODEL_FORMAT, type SavedModel } from '../../src/pipeline/model/types';

export function smallModel(seed = 1, o: { items?: number; k?: number; d?: number; users?: number } = {}): SavedModel {
  const rng = new Random(seed);
  const items = o.items ?? 12;
  const k = o.k ?? 3;
  const d = o.d ?? 8;
  const users = o.users ?? 20;
  const vec = (n: number) => Float32Array.from({ length: n }, () => rng.normal());
  const profiles = { k, users, clusters: Array.from({ length: k }, (_, c) => ({ cluster: c, label: `Segment ${c}` })) } as unknown as ClusterProfiles;
  return {
    meta: {
      format: MODEL_FORMAT,
      created: '2026-12-07T07:00:00.000Z',
      appVersion: APP_VERSION,
      sourceFile: 'log.csv',
      counts: { customers: users, events: 99, items },
      size: 0,
    },
    settings: {
      sequence: { ...DEFAULT_SEQUENCE_OPTIONS },
      encoder: { kind: 'featurizer', textModel: 'featurizer', featurizer: true, mode: 'items', seqbert: null },
      weights: { purchase: 3 },
      halfLifeDays: 0,
      service: { mode: 'auto', service: [], product: [] },
      clusteredOn: 'encoder',
    },
    catalogue: {
      itemIds: Array.from({ length: items }, (_, i) => `item-${i}`),
      titles: Array.from({ length: items }, (_, i) => `Title ${i} ✓`),
      categories: Array.from({ length: items }, (_, i) => (i % 2 ? 'cat' : '')),
      itemDims: d,
      itemText: vec(items * d),
      dims: d,
      itemRows: vec(items * d),
      gcnItems: { dims: 4, data: vec(items * 4) },
      counts: Int32Array.from({ length: items }, (_, i) => i + 1),
    },
    seqbert: null,
    clustering: {
      k,
      d,
      centres: vec(k * d),
      labels: Array.from({ length: k }, (_, c) => `Segment ${c}`),
      profiles,
      traits: Array.from({ length: k }, (_, c) => (c === 0 ? null : ['Frequent', 'Big baskets'])),
      userIds: Array.from({ length: users }, (_, i) => `u${i}`),
      clusters: Int32Array.from({ length: users }, (_, i) => (i % 5 === 0 ? -1 : i % k)),
      p95Distance: 1.25,
      sizes: Array.from({ length: k }, () => 5),
      vectorHashes: Int32Array.from({ length: users - 4 }, (_, i) => Math.imul(i + 1, 0x9e3779b1)),
      placement: 0.9,
    },
    approx: { dims: d, centroids: vec(k * d) },
  };
}
