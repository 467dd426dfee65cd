import { describe, expect, it } from 'vitest';
import type { UserAttributes } from '../../pipeline/profile/types';
import type { MapData } from '../../worker/protocol';
import { byCategory, colorScheme, HIDDEN_GREY, lengthBands, revenueBands } from './colorScheme';
import { pointFacts } from './pointText';
import { bounds, splitPoints } from './pointSeries';
import { insidePolygon, pointsInAreas, summariseSelection } from './selection';

/** n users with the given lengths and revenues; two last events each (-1 padding where given). */
function attrs(length: number[], revenue: number[], extra: Partial<UserAttributes> = {}): UserAttributes {
  const n = length.length;
  return {
    n,
    length: Int32Array.from(length),
    revenue: Float64Array.from(revenue),
    lastType: new Uint8Array(n),
    country: new Int32Array(n).fill(-1),
    lastItems: new Int32Array(n * 2).fill(-1),
    lastTypes: new Uint8Array(n * 2),
    lastTime: new Float64Array(n).fill(Number.NaN),
    ...extra,
  };
}

describe('map colouring', () => {
  it('bands lengths by powers of two with an open last band', () => {
    expect(lengthBands(3)).toEqual([
      { lo: 1, hi: 1 },
      { lo: 2, hi: 2 },
      { lo: 3, hi: 4 },
    ]);
    const many = lengthBands(1000);
    expect(many).toHaveLength(8);
    expect(many[6]).toEqual({ lo: 33, hi: 64 });
    expect(many[7]).toEqual({ lo: 65, hi: Number.POSITIVE_INFINITY });
    const s = colorScheme('length', {
      labels: null,
      k: null,
      clusterLabels: null,
      attributes: attrs([1, 2, 3, 4, 5, 100], [0, 0, 0, 0, 0, 0]),
      typeNames: [],
      countries: [],
    });
    expect([...s.groupOf]).toEqual([0, 1, 2, 2, 3, 7]);
    expect(s.groups.map((g) => g.count)).toEqual([1, 1, 2, 1, 0, 0, 0, 1]);
    expect(s.ordered).toBe(true);
  });

  it('puts returns, non-buyers and buyer quantiles in separate revenue bands', () => {
    const { groups, groupOf } = revenueBands(Float64Array.from([-5, 0, Number.NaN, 10, 20, 30, 40, 50]));
    expect(groups[0].label).toMatch(/returns/);
    expect(groups[1].label).toMatch(/nothing/);
    expect([...groupOf.slice(0, 3)]).toEqual([0, 1, 1]);
    // Five buyers in five quantile bands: one each, in order.
    expect([...groupOf.slice(3)]).toEqual([2, 3, 4, 5, 6]);
    expect(groups).toHaveLength(7);
  });

  it('keeps the commonest categories, then "other" and "unknown"', () => {
    const s = byCategory([0, 0, 0, 1, 1, 2, -1], ['UK', 'France', 'Spain'], 2);
    expect(s.groups.map((g) => g.label)).toEqual(['UK', 'France', 'other', 'unknown']);
    expect(s.groups.map((g) => g.count)).toEqual([3, 2, 1, 1]);
    expect([...s.groupOf]).toEqual([0, 0, 0, 1, 1, 2, 3]);
  });

  it('colours by cluster from the labels, and by one group without clusters', () => {
    const a = attrs([1, 1, 1, 1], [0, 0, 0, 0]);
    const s = colorScheme('cluster', {
      labels: Int32Array.from([1, 0, 1, 1]),
      k: 3,
      clusterLabels: ['A', 'B', 'C'],
      attributes: a,
      typeNames: [],
      countries: [],
    });
    expect(s.groups.map((g) => g.count)).toEqual([1, 3, 0]);
    expect(s.groups[1].label).toBe('Segment 1 · B');
    const none = colorScheme('cluster', { labels: null, k: null, clusterLabels: null, attributes: a, typeNames: [], countries: [] });
    expect(none.groups).toHaveLength(1);
    expect(none.groups[0].count).toBe(4);
  });
});

describe('map series', () => {
  it('splits points by group, hidden ones into a grey series drawn first, keeping each point its coordinates', () => {
    const coords = Float32Array.from([0, 0, 1, 1, 2, 2, 3, 3, 4, 4]);
    const groupOf = Int32Array.from([0, 1, 0, 2, 1]);
    const series = splitPoints(coords, groupOf, 3, (i) => groupOf[i] === 1);
    expect(series.map((s) => s.group)).toEqual([-1, 0, 2]);
    expect([...series[0].index]).toEqual([1, 4]);
    expect([...series[0].xy]).toEqual([1, 1, 4, 4]);
    expect([...series[1].index]).toEqual([0, 2]);
    expect([...series[2].xy]).toEqual([3, 3]);
    const total = series.reduce((a, s) => a + s.index.length, 0);
    expect(total).toBe(5);
    expect(HIDDEN_GREY).toMatch(/^#/);
  });

  it('pads the bounds so the axes do not clip points', () => {
    const b = bounds(Float32Array.from([0, 10, 100, 20]), 0.1);
    expect(b).toEqual({ xMin: -10, xMax: 110, yMin: 9, yMax: 21 });
  });
});

describe('map selection', () => {
  const coords = Float32Array.from([0, 0, 1, 1, 2, 2, 5, 5, 1, 3]);

  it('selects the points inside a rectangle, whichever way it was drawn', () => {
    expect([
      ...pointsInAreas(
        coords,
        [
          {
            brushType: 'rect',
            coordRange: [
              [2.5, -1],
              [2.5, -1],
            ],
          },
        ],
        null,
      ),
    ]).toEqual([0, 1, 2]);
    expect([
      ...pointsInAreas(
        coords,
        [
          {
            brushType: 'rect',
            coordRange: [
              [-1, 2.5],
              [-1, 2.5],
            ],
          },
        ],
        (i) => i === 1,
      ),
    ]).toEqual([0, 2]);
  });

  it('selects the points inside a lasso', () => {
    // A triangle under the line y = x + 0.5: holds the diagonal points, not (1, 3) above it.
    const tri: [number, number][] = [
      [-1, -0.5],
      [6, -0.5],
      [6, 6.5],
    ];
    expect(insidePolygon(3, 0, tri)).toBe(true);
    expect(insidePolygon(1, 3, tri)).toBe(false);
    expect([...pointsInAreas(coords, [{ brushType: 'polygon', coordRange: tri }], null)]).toEqual([0, 1, 2, 3]);
  });

  it('sums the selection: count, share, per cluster, mean length and revenue', () => {
    const a = attrs([2, 4, 6, 8, 10], [10, -2, Number.NaN, 0, 5]);
    const s = summariseSelection(Int32Array.from([0, 1, 2]), a, Int32Array.from([0, 1, 1, 0, 0]), 2, true);
    expect(s.count).toBe(3);
    expect(s.share).toBeCloseTo(0.6);
    expect(s.perCluster).toEqual([1, 2]);
    expect(s.meanLength).toBe(4);
    expect(s.revenue).toBe(8);
    expect(summariseSelection(Int32Array.from([3]), a, null, null, false)).toMatchObject({ perCluster: null, revenue: null });
  });
});

describe('map tooltip facts', () => {
  it('lists the last events most recent first, stopping at the padding, with names from the file as they are', () => {
    const a = attrs([3, 1], [0, 0], {
      lastItems: Int32Array.from([1, 0, 0, -1]),
      lastTypes: Uint8Array.from([3, 0, 0, 0]),
    });
    const data: MapData = {
      n: 2,
      ids: ['u<b>1</b>', 'u2'],
      attributes: a,
      typeNames: ['view', 'click', 'cart', 'purchase', 'return'],
      countries: [],
      itemLabels: ['MUG', '<img src=x onerror=alert(1)>'],
      hasPrice: false,
      hasTime: false,
      hasCountry: false,
    };
    const f = pointFacts(0, data, Int32Array.from([2, 0]), ['X', 'Y', 'Buyers']);
    expect(f.id).toBe('u<b>1</b>');
    expect(f.length).toBe('3 events');
    expect(f.cluster).toBe('Segment 2 · Buyers');
    expect(f.lastEvents).toEqual(['purchase · <img src=x onerror=alert(1)>', 'view · MUG']);
    expect(pointFacts(1, data, null, null)).toMatchObject({ length: '1 event', cluster: null, lastEvents: ['view · MUG'] });
  });
});
