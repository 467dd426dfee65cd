import { describe, expect, it } from 'vitest';
import { chartValue, formatMetric, silhouetteVerdict, tinyClusters, UNDEFINED_METRIC } from './clusterFormat';
import { clusterSettingsKey, clusterUrlOverrides } from './clusterSettings';

describe('cluster view formatting', () => {
  it('never shows NaN or Infinity as a number', () => {
    for (const kind of ['inertia', 'silhouette', 'calinskiHarabasz', 'daviesBouldin', 'stability'] as const) {
      expect(formatMetric(Number.NaN, kind)).toBe(UNDEFINED_METRIC);
      expect(formatMetric(Number.POSITIVE_INFINITY, kind)).toBe(UNDEFINED_METRIC);
      expect(formatMetric(null, kind)).toBe(UNDEFINED_METRIC);
      expect(formatMetric(undefined, kind)).toBe(UNDEFINED_METRIC);
      expect(formatMetric(0.5, kind)).not.toMatch(/NaN|Infinity|∞/);
    }
    expect(chartValue(Number.NaN)).toBeNull();
    expect(chartValue(-0.25)).toBe(-0.25);
    expect(silhouetteVerdict(Number.NaN)).toMatch(/undefined/);
  });

  it('flags clusters under 5 members or under 1% as tiny', () => {
    expect(tinyClusters([100, 4, 50])).toEqual([1]);
    expect(tinyClusters([1000, 9, 500, 5])).toEqual([1, 3]); // 9 < 1% of 1514
    expect(tinyClusters([5, 5])).toEqual([]);
    expect(tinyClusters([0, 10])).toEqual([0]);
  });

  it('reads the silhouette as Kaufman and Rousseeuw do', () => {
    expect(silhouetteVerdict(0.8)).toMatch(/strong/);
    expect(silhouetteVerdict(0.6)).toMatch(/reasonable/);
    expect(silhouetteVerdict(0.3)).toMatch(/weak/);
    expect(silhouetteVerdict(0.04)).toMatch(/No substantial/);
  });

  it('takes the sweep range and the device from the URL, ignoring nonsense', () => {
    expect(clusterUrlOverrides('?sweep=3..9&cluster-device=gpu')).toEqual({ kMin: 3, kMax: 9, device: 'gpu' });
    expect(clusterUrlOverrides('?sweep=9..3&cluster-device=tpu')).toEqual({});
    expect(clusterUrlOverrides('?sweep=1..5')).toEqual({});
    expect(clusterUrlOverrides('?sweep=2..99')).toEqual({});
    expect(clusterSettingsKey({ kMin: 2, kMax: 15, device: 'auto' })).toBe('2..15|auto');
  });
});
