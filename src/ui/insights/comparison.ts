// The comparison of two clusters as rows of text: both values and how B stands against A
// (percentage points for rates, a multiple for counts and amounts).
import type { ClusterProfile, ClusterProfiles, GroupStats, RankedItem, RankedName } from '../../pipeline/profile/types';
import { formatInt } from '../common/format';
import { type Money, PLAIN_MONEY } from '../common/money';
import { formatLength, formatRate, NONE, rateDifference, ratio } from './insightFormat';

export interface ComparisonRow {
  name: string;
  test: string;
  a: string;
  b: string;
  diff: string;
  /** Names rather than numbers: no difference, not aligned as numbers. */
  text?: boolean;
}

function buyerShare(g: GroupStats): number | null {
  return g.size > 0 ? g.funnel.buyers / g.size : null;
}

const topName = (names: RankedName[]): string => (names.length > 0 ? names[0].name : NONE);
const topItem = (items: RankedItem[]): string => (items.length > 0 ? items[0].title || items[0].id : NONE);

/**
 * The rows of the comparison of cluster A with cluster B; the difference says how B stands against
 * A. Amounts in `money`'s currency; `noun` is what one member is ('customers', 'sessions').
 */
export function comparisonRows(
  profiles: ClusterProfiles,
  a: ClusterProfile,
  b: ClusterProfile,
  money: Money = PLAIN_MONEY,
  noun = 'customers',
): ComparisonRow[] {
  const formatAmount = money.format;
  const one = noun.replace(/s$/, '');
  const rows: ComparisonRow[] = [
    { name: noun[0].toUpperCase() + noun.slice(1), test: 'size', a: formatInt(a.size), b: formatInt(b.size), diff: ratio(a.size, b.size) },
    { name: 'Share of all', test: 'share', a: formatRate(a.share), b: formatRate(b.share), diff: rateDifference(a.share, b.share) },
    { name: 'Mean events', test: 'length-mean', a: formatLength(a.length.mean), b: formatLength(b.length.mean), diff: ratio(a.length.mean, b.length.mean) },
    {
      name: 'Median events',
      test: 'length-median',
      a: formatLength(a.length.median),
      b: formatLength(b.length.median),
      diff: ratio(a.length.median, b.length.median),
    },
  ];
  if (profiles.overall.funnel.viewers > 0) {
    rows.push(
      {
        name: 'View → cart',
        test: 'view-cart',
        a: formatRate(a.funnel.viewToCart),
        b: formatRate(b.funnel.viewToCart),
        diff: rateDifference(a.funnel.viewToCart, b.funnel.viewToCart),
      },
      {
        name: 'Cart → purchase',
        test: 'cart-purchase',
        a: formatRate(a.funnel.cartToPurchase),
        b: formatRate(b.funnel.cartToPurchase),
        diff: rateDifference(a.funnel.cartToPurchase, b.funnel.cartToPurchase),
      },
      {
        name: 'View → purchase',
        test: 'view-purchase',
        a: formatRate(a.funnel.viewToPurchase),
        b: formatRate(b.funnel.viewToPurchase),
        diff: rateDifference(a.funnel.viewToPurchase, b.funnel.viewToPurchase),
      },
    );
  }
  rows.push({
    name: 'Bought something',
    test: 'buyers',
    a: formatRate(buyerShare(a)),
    b: formatRate(buyerShare(b)),
    diff: rateDifference(buyerShare(a), buyerShare(b)),
  });
  if (profiles.hasPrice) {
    rows.push(
      { name: 'Revenue', test: 'revenue', a: formatAmount(a.revenue), b: formatAmount(b.revenue), diff: ratio(a.revenue, b.revenue) },
      {
        name: `Revenue per ${one}`,
        test: 'revenue-per-user',
        a: formatAmount(a.revenuePerUser),
        b: formatAmount(b.revenuePerUser),
        diff: ratio(a.revenuePerUser, b.revenuePerUser),
      },
      { name: 'Average order', test: 'aov', a: formatAmount(a.aov), b: formatAmount(b.aov), diff: ratio(a.aov, b.aov) },
    );
  }
  if (profiles.hasCategories)
    rows.push({ name: 'Top category', test: 'top-category', a: topName(a.topCategories), b: topName(b.topCategories), diff: '', text: true });
  if (profiles.hasBrands) rows.push({ name: 'Top brand', test: 'top-brand', a: topName(a.topBrands), b: topName(b.topBrands), diff: '', text: true });
  rows.push({ name: 'Top item', test: 'top-item', a: topItem(a.topItems), b: topItem(b.topItems), diff: '', text: true });
  return rows;
}
