import { describe, expect, it } from 'vitest';
import type { ClusterProfile, ClusterProfiles, GroupStats } from '../../pipeline/profile/types';
import { moneyOf } from '../common/money';
import { comparisonRows } from './comparison';
import { NONE } from './insightFormat';

function stats(size: number, viewers: number, carters: number, buyers: number, revenue: number | null, orders: number | null): GroupStats {
  return {
    size,
    share: size / 100,
    events: size * 4,
    length: { mean: 4, median: 3, p90: 8 },
    funnel: {
      viewers,
      carters,
      buyers,
      returners: 0,
      viewToCart: viewers > 0 ? carters / viewers : null,
      cartToPurchase: carters > 0 ? buyers / carters : null,
      viewToPurchase: viewers > 0 ? buyers / viewers : null,
    },
    revenue,
    orders,
    aov: revenue !== null && orders ? revenue / orders : null,
    revenuePerUser: revenue !== null ? revenue / size : null,
    topCategories: [],
    topBrands: [],
    topItems: [],
  };
}

const cluster = (i: number, g: GroupStats): ClusterProfile => ({ ...g, cluster: i, label: `c${i}`, terms: [] });

function profiles(a: GroupStats, b: GroupStats, overall: GroupStats, hasPrice: boolean): ClusterProfiles {
  return {
    k: 2,
    users: 100,
    hasPrice,
    hasTitles: false,
    hasCategories: false,
    hasBrands: false,
    termSource: null,
    overall,
    clusters: [cluster(0, a), cluster(1, b)],
  };
}

const cell = (rows: ReturnType<typeof comparisonRows>, test: string) => rows.find((r) => r.test === test);

describe('comparisonRows', () => {
  it('gives rate differences in points and amounts as multiples of A', () => {
    // A: 40 users, 40 viewers, 10 carters (25%), 5 buyers; B: 60 users, 50 viewers, 20 carters (40%), 15 buyers.
    const a = stats(40, 40, 10, 5, 100, 5);
    const b = stats(60, 50, 20, 15, 180, 6);
    const p = profiles(a, b, stats(100, 90, 30, 20, 280, 11), true);
    const rows = comparisonRows(p, p.clusters[0], p.clusters[1]);
    expect(cell(rows, 'view-cart')!.diff).toBe('+15 pp');
    // Cart -> purchase: 50% against 75%.
    expect(cell(rows, 'cart-purchase')!.diff).toBe('+25 pp');
    // Bought something: 5/40 = 12.5% against 15/60 = 25%: +12.5 points, rounded up.
    expect(cell(rows, 'buyers')!.diff).toBe('+13 pp');
    expect(cell(rows, 'revenue')!.diff).toBe('×1.8');
    // AOV 20 against 30.
    expect(cell(rows, 'aov')!.diff).toBe('×1.5');
    expect(cell(rows, 'size')!.diff).toBe('×1.5');
    expect(cell(rows, 'size')!.name).toBe('Customers');
    expect(cell(rows, 'revenue-per-user')!.name).toBe('Revenue per customer');
  });

  it('writes the amounts in the currency given, and names the members', () => {
    const a = stats(40, 40, 10, 5, 100, 5);
    const b = stats(60, 50, 20, 15, 180, 6);
    const p = profiles(a, b, stats(100, 90, 30, 20, 280, 11), true);
    const rows = comparisonRows(p, p.clusters[0], p.clusters[1], moneyOf('GBP'), 'sessions');
    expect(cell(rows, 'revenue')!.a).toBe(new Intl.NumberFormat(undefined, { style: 'currency', currency: 'GBP' }).format(100));
    expect(cell(rows, 'revenue')!.diff).toBe('×1.8');
    expect(cell(rows, 'size')!.name).toBe('Sessions');
    expect(cell(rows, 'revenue-per-user')!.name).toBe('Revenue per session');
  });

  it('leaves out funnel rates without views and amounts without prices', () => {
    // UCI-like: purchases only, no prices.
    const a = stats(30, 0, 0, 30, null, null);
    const b = stats(70, 0, 0, 70, null, null);
    const p = profiles(a, b, stats(100, 0, 0, 100, null, null), false);
    const rows = comparisonRows(p, p.clusters[0], p.clusters[1]);
    expect(cell(rows, 'view-cart')).toBeUndefined();
    expect(cell(rows, 'revenue')).toBeUndefined();
    expect(cell(rows, 'buyers')!.diff).toBe('0 pp');
    expect(cell(rows, 'top-item')!.a).toBe(NONE);
  });
});
