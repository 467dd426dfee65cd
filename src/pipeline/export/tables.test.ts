import { describe, expect, it } from 'vitest';
import type { ClusterProfile, ClusterProfiles, GroupStats } from '../profile/types';
import type { RankedItems } from '../recommend/types';
import {
  exportText,
  PART_LINES,
  ASSIGNMENT_COLUMNS,
  assignmentsCsv,
  assignmentsJson,
  type AssignmentInput,
  PROFILE_COLUMNS,
  profilesCsv,
  profilesJson,
  RECOMMENDATION_COLUMNS,
  recommendationsCsv,
  recommendationsJson,
  type RecommendationRowsInput,
} from './index';
import type { UserLists } from './tables';
import { parseCsv } from '../../../test/lib/testCsv';

const IDS = ['u1', 'has "quote"', 'a,b', 'two\nlines', "=cmd|' /C calc'!A0"];
const neutral = (s: string): string => (/^[=+\-@\t\r]/.test(s) ? `'${s}` : s);

function assignments(over: Partial<AssignmentInput> = {}): AssignmentInput {
  return {
    ids: IDS,
    labels: Int32Array.from([1, 0, 1, 2, 0]),
    coords: Float32Array.from([0.5, -1.5, 2, 3, -0.25, 0, 10.1, -7, 1e-3, 4]),
    clusterLabels: ['Browsers', '=Buyers', 'Cart, abandoners'],
    selection: null,
    ...over,
  };
}

describe('assignments', () => {
  it('writes one row per sequence with coordinates and the cluster label', () => {
    const { parts, rows } = assignmentsCsv(assignments());
    const text = exportText({ parts });
    expect(rows).toBe(5);
    const parsed = parseCsv(text);
    expect(parsed[0]).toEqual([...ASSIGNMENT_COLUMNS]);
    expect(parsed.slice(1)).toEqual([
      ['u1', '1', '0.5', '-1.5', "'=Buyers"],
      [IDS[1], '0', '2', '3', 'Browsers'],
      [IDS[2], '1', '-0.25', '0', "'=Buyers"],
      [IDS[3], '2', '10.1', '-7', 'Cart, abandoners'],
      [neutral(IDS[4]), '0', '0.001', '4', 'Browsers'],
    ]);
  });

  it('leaves x and y empty without a map', () => {
    const parsed = parseCsv(exportText(assignmentsCsv(assignments({ coords: null }))));
    for (const row of parsed.slice(1)) expect([row[2], row[3]]).toEqual(['', '']);
    const json = JSON.parse(exportText(assignmentsJson(assignments({ coords: null }))));
    for (const row of json.rows) expect([row.x, row.y]).toEqual([null, null]);
  });

  it('exports only the selection, in its order', () => {
    const a = assignments({ selection: Int32Array.from([4, 1]) });
    const { parts, rows } = assignmentsCsv(a);
    const text = exportText({ parts });
    expect(rows).toBe(2);
    expect(
      parseCsv(text)
        .slice(1)
        .map((r) => r[0]),
    ).toEqual([neutral(IDS[4]), IDS[1]]);
    const json = JSON.parse(exportText(assignmentsJson(a)));
    expect(json.rows.map((r: { user_id: string }) => r.user_id)).toEqual([IDS[4], IDS[1]]);
    expect(assignmentsCsv(assignments({ selection: new Int32Array(0) }))).toEqual({ parts: ['user_id,cluster,x,y,label\r\n'], rows: 0 });
  });

  it('rejects a selection outside the sequences and mismatched lengths', () => {
    expect(() => assignmentsCsv(assignments({ selection: Int32Array.from([5]) }))).toThrow(RangeError);
    expect(() => assignmentsCsv(assignments({ selection: Int32Array.from([-1]) }))).toThrow(RangeError);
    expect(() => assignmentsCsv(assignments({ labels: new Int32Array(4) }))).toThrow(RangeError);
    expect(() => assignmentsJson(assignments({ coords: new Float32Array(4) }))).toThrow(RangeError);
  });

  it('JSON parses back to the same rows, text unneutralised', () => {
    const { parts, rows } = assignmentsJson(assignments());
    const text = exportText({ parts });
    const doc = JSON.parse(text);
    expect(rows).toBe(5);
    expect(doc.columns).toEqual([...ASSIGNMENT_COLUMNS]);
    expect(doc.rows[4]).toEqual({ user_id: IDS[4], cluster: 0, x: 0.001, y: 4, label: 'Browsers' });
    expect(doc.rows[3]).toEqual({ user_id: 'two\nlines', cluster: 2, x: 10.1, y: -7, label: 'Cart, abandoners' });
    const empty = JSON.parse(exportText(assignmentsJson(assignments({ selection: new Int32Array(0) }))));
    expect(empty.rows).toEqual([]);
  });
});

describe('long files', () => {
  // A long export travels as parts of whole lines (one string cannot hold 537M characters): the
  // parts must join to the file, split only between lines, at every boundary case.
  const many = (n: number): AssignmentInput => ({
    ids: Array.from({ length: n }, (_, i) => `u${i}`),
    labels: Int32Array.from({ length: n }, (_, i) => i % 3),
    coords: null,
    clusterLabels: ['a', 'b', 'c'],
    selection: null,
  });

  for (const n of [0, 1, PART_LINES - 1, PART_LINES, 2 * PART_LINES + 5]) {
    it(`${n} rows: CSV and JSON parts of at most ${PART_LINES} whole lines that join to the file`, () => {
      const csv = assignmentsCsv(many(n));
      const csvLines = n + 1; // the header
      expect(csv.rows).toBe(n);
      expect(csv.parts.length).toBe(Math.max(1, Math.ceil(csvLines / PART_LINES)));
      for (const part of csv.parts) {
        expect(part.endsWith('\r\n')).toBe(true);
        expect(part.split('\r\n').length - 1).toBeLessThanOrEqual(PART_LINES);
      }
      const parsed = parseCsv(exportText(csv));
      expect(parsed.length).toBe(n + 1);
      expect(parsed[n]).toEqual(n === 0 ? [...ASSIGNMENT_COLUMNS] : [`u${n - 1}`, String((n - 1) % 3), '', '', 'abc'[(n - 1) % 3]]);

      const json = assignmentsJson(many(n));
      expect(json.rows).toBe(n);
      for (const part of json.parts) expect(part.split('\n').length - 1).toBeLessThanOrEqual(PART_LINES + 2);
      const doc = JSON.parse(exportText(json));
      expect(doc.rows.length).toBe(n);
      if (n > 0) expect(doc.rows[n - 1]).toEqual({ user_id: `u${n - 1}`, cluster: (n - 1) % 3, x: null, y: null, label: 'abc'[(n - 1) % 3] });
    });
  }
});

describe('recommendations', () => {
  // Items 0..3; each user gets the items whose index differs from theirs mod 4, best first.
  const itemIds = ['i0', 'i,1', '-i2', 'i3'];
  const itemTitles = ['Mug', 'Candle "red"', '', '@home'];
  // `new`: the other items; `again`: the user's own item.
  const perUser = (index: number): UserLists => {
    const items = [0, 1, 2, 3].filter((j) => j !== index % 4);
    return {
      new: {
        items: Int32Array.from(items),
        scores: Float64Array.from(items.map((j) => 1 - j / 10)),
        reasons: items.map((j) => (j === 3 ? 'popular' : 'knn+rp3')),
      },
      again: { items: Int32Array.of(index % 4), scores: Float64Array.of(2), reasons: ['bought 2x, last 3 days ago'] },
    };
  };
  const input = (selection: Int32Array | null): RecommendationRowsInput => ({
    ids: IDS,
    labels: Int32Array.from([1, 0, 1, 2, 0]),
    selection,
    perUser,
    itemIds,
    itemTitles,
    clusterLabels: ['A', 'B', 'C'],
  });

  it('writes one row per user, list and item, ranked from 1 in each list, with the reason', () => {
    const { parts, rows } = recommendationsCsv(input(null));
    const text = exportText({ parts });
    expect(rows).toBe(20);
    const parsed = parseCsv(text);
    expect(parsed[0]).toEqual([...RECOMMENDATION_COLUMNS]);
    expect(parsed.slice(1, 5)).toEqual([
      ['u1', '1', 'B', 'new', '1', 'i,1', 'Candle "red"', '0.9', 'knn+rp3'],
      ['u1', '1', 'B', 'new', '2', "'-i2", '', '0.8', 'knn+rp3'],
      ['u1', '1', 'B', 'new', '3', 'i3', "'@home", '0.7', 'popular'],
      ['u1', '1', 'B', 'again', '1', 'i0', 'Mug', '2', 'bought 2x, last 3 days ago'],
    ]);
    // The user's own item is only in its `again` list.
    expect(parsed.filter((r) => r[0] === IDS[1] && r[3] === 'new').map((r) => r[5])).toEqual(['i0', "'-i2", 'i3']);
  });

  it('a plain ranked list (cluster recommendations) is the new list, its popularity fill so named', () => {
    const plain = (): RankedItems => ({ items: Int32Array.of(0, 1), scores: Float64Array.of(1, 0.5), filled: 1 });
    const parsed = parseCsv(exportText(recommendationsCsv({ ...input(Int32Array.of(0)), perUser: plain })));
    expect(parsed.slice(1).map((r) => [r[3], r[8]])).toEqual([
      ['new', 'cluster'],
      ['new', 'popular'],
    ]);
  });

  it('exports the selection only; JSON parses back', () => {
    const { parts, rows } = recommendationsJson(input(Int32Array.from([3])));
    const text = exportText({ parts });
    expect(rows).toBe(4);
    const doc = JSON.parse(text);
    expect(doc.columns).toEqual([...RECOMMENDATION_COLUMNS]);
    expect(doc.rows).toEqual([
      { user_id: 'two\nlines', cluster: 2, label: 'C', list: 'new', rank: 1, item_id: 'i0', title: 'Mug', score: 1, reason: 'knn+rp3' },
      { user_id: 'two\nlines', cluster: 2, label: 'C', list: 'new', rank: 2, item_id: 'i,1', title: 'Candle "red"', score: 0.9, reason: 'knn+rp3' },
      { user_id: 'two\nlines', cluster: 2, label: 'C', list: 'new', rank: 3, item_id: '-i2', title: '', score: 0.8, reason: 'knn+rp3' },
      { user_id: 'two\nlines', cluster: 2, label: 'C', list: 'again', rank: 1, item_id: 'i3', title: '@home', score: 2, reason: 'bought 2x, last 3 days ago' },
    ]);
    expect(recommendationsCsv(input(Int32Array.from([3]))).rows).toBe(4);
  });
});

function group(size: number, over: Partial<GroupStats> = {}): GroupStats {
  return {
    size,
    share: size / 10,
    events: size * 3,
    length: { mean: 3, median: 3, p90: 5 },
    funnel: { viewers: size, carters: 0, buyers: 0, returners: 0, viewToCart: 0, cartToPurchase: null, viewToPurchase: 0 },
    revenue: null,
    orders: null,
    aov: null,
    revenuePerUser: null,
    topCategories: [],
    topBrands: [],
    topItems: [],
    ...over,
  };
}

function profiles(): ClusterProfiles {
  const c0: ClusterProfile = {
    ...group(6, {
      revenue: 120.5,
      orders: 4,
      aov: 30.125,
      funnel: { viewers: 6, carters: 4, buyers: 2, returners: 0, viewToCart: 4 / 6, cartToPurchase: 0.5, viewToPurchase: 2 / 6 },
      topCategories: [
        { name: 'Kitchen', users: 5, share: 5 / 6, lift: 1.2 },
        { name: 'Garden, outdoor', users: 2, share: 1 / 3, lift: NaN },
      ],
      topItems: [
        { item: 3, id: 'SKU3', title: 'Red mug', users: 4, share: 4 / 6, lift: 1.5 },
        { item: 7, id: '=SKU7', title: '', users: 2, share: 1 / 3, lift: 1 },
      ],
    }),
    cluster: 0,
    label: 'Buyers · Kitchen',
    terms: [
      { term: 'mug', score: 0.4 },
      { term: 'red', score: 0.2 },
    ],
  };
  const c1: ClusterProfile = { ...group(4), cluster: 1, label: '+Browsers', terms: [] };
  return {
    k: 2,
    users: 10,
    hasPrice: true,
    hasTitles: true,
    hasCategories: true,
    hasBrands: false,
    termSource: 'titles',
    overall: group(10),
    clusters: [c0, c1],
  };
}

describe('profiles', () => {
  it('CSV: one row per cluster, lists joined, unknown numbers empty', () => {
    const { parts, rows } = profilesCsv(profiles());
    const text = exportText({ parts });
    expect(rows).toBe(2);
    const parsed = parseCsv(text);
    expect(parsed[0]).toEqual([...PROFILE_COLUMNS]);
    const row = Object.fromEntries(PROFILE_COLUMNS.map((c, j) => [c, parsed[1][j]]));
    expect(row).toEqual({
      cluster: '0',
      label: 'Buyers · Kitchen',
      size: '6',
      share: '0.6',
      events: '18',
      mean_length: '3',
      viewers: '6',
      carters: '4',
      buyers: '2',
      view_to_cart: String(4 / 6),
      cart_to_purchase: '0.5',
      revenue: '120.5',
      orders: '4',
      aov: '30.125',
      top_categories: 'Kitchen; Garden, outdoor',
      top_items: 'Red mug; =SKU7',
      terms: 'mug; red',
    });
    const second = Object.fromEntries(PROFILE_COLUMNS.map((c, j) => [c, parsed[2][j]]));
    expect(second.label).toBe("'+Browsers");
    expect([second.cart_to_purchase, second.revenue, second.orders, second.aov, second.top_items]).toEqual(['', '', '', '', '']);
  });

  it('JSON: the profiles under a header, parsing back; NaN as null', () => {
    const p = profiles();
    const { parts, rows } = profilesJson(p, { file: 'log.csv', k: 2, generatedAt: '2026-11-28T03:00:00.000Z' });
    const text = exportText({ parts });
    expect(rows).toBe(2);
    const doc = JSON.parse(text);
    expect(doc.format).toBe('seqlens-profiles');
    expect(doc.file).toBe('log.csv');
    expect(doc.generatedAt).toBe('2026-11-28T03:00:00.000Z');
    expect(doc.k).toBe(2);
    expect(doc.clusters.map((c: ClusterProfile) => c.label)).toEqual(['Buyers · Kitchen', '+Browsers']);
    expect(doc.clusters[0].topCategories[1].lift).toBeNull();
    expect(doc.clusters[0].topItems[1].id).toBe('=SKU7');
    expect(doc.overall.size).toBe(10);
    expect(doc.currency).toBeUndefined();
  });

  it('JSON: the currency of the amounts in the header', () => {
    const currency = { code: 'GBP', source: 'symbol' as const, symbol: '£' };
    const doc = JSON.parse(exportText(profilesJson(profiles(), { file: 'log.csv', k: 2, generatedAt: '', currency })));
    expect(doc.currency).toEqual(currency);
  });

  it('JSON refuses profiles of another K', () => {
    expect(() => profilesJson(profiles(), { file: 'x', k: 3, generatedAt: '' })).toThrow(RangeError);
  });
});
