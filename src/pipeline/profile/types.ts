// Shapes of the profile stage: what each cluster of shoppers did, in numbers a merchant reads, and
// the per-user attributes the map colours by. Plain data: survives structured cloning and JSON.

/** A category or brand, ranked by how many of the cluster's users touched it. */
export interface RankedName {
  name: string;
  /** Users of the cluster with at least one event on it. */
  users: number;
  /** users / cluster size. */
  share: number;
  /** share in the cluster / share among all users (1 = as common as everywhere). */
  lift: number;
}

export interface RankedItem {
  /** Index into table.items. */
  item: number;
  id: string;
  /** Title, else ''. */
  title: string;
  users: number;
  share: number;
  lift: number;
}

/**
 * Users of the group who did each step at least once (a click counts as a view), and the
 * conversions between steps (null when the step before had nobody). A conversion is the share of
 * the earlier step's users who also did the later one (so it stays within 0..1 even when some users
 * bought without a logged view or cart, as in invoice-only logs).
 */
export interface Funnel {
  viewers: number;
  carters: number;
  buyers: number;
  returners: number;
  viewToCart: number | null;
  cartToPurchase: number | null;
  viewToPurchase: number | null;
}

/** What every group (a cluster, or everybody) is described by. */
export interface GroupStats {
  size: number;
  /** size / all users. */
  share: number;
  events: number;
  length: { mean: number; median: number; p90: number };
  funnel: Funnel;
  /** Null when the log has no prices. Returns subtract. */
  revenue: number | null;
  /**
   * Distinct orders (sessions/invoices with a purchase; a sequence without session ids is one order);
   * null without prices. A session split across clusters counts in each, once overall.
   */
  orders: number | null;
  /** revenue / orders; null without prices or orders. */
  aov: number | null;
  revenuePerUser: number | null;
  topCategories: RankedName[];
  topBrands: RankedName[];
  topItems: RankedItem[];
}

/** A behaviour measure of a customer (see traits.ts). */
export type TraitKey = 'orders' | 'spend' | 'basket' | 'recency' | 'cadence' | 'events';

/** How a cluster's typical customer differs from everybody's on one behaviour measure. */
export interface Trait {
  key: TraitKey;
  /** The word that names it: 'Frequent', 'Big baskets', 'Lapsed'... (the high or the low one). */
  word: string;
  /** The cluster's median (or mean, when most customers are at 0). */
  value: number;
  /** Everybody's. */
  overall: number;
  /** value / overall (a cluster at 0 counts as 1/10 of overall). */
  ratio: number;
  /** value and overall are means (most customers at 0), not medians. */
  average?: true;
  /** In words: "6 orders per customer (typical customer: 2)". */
  text: string;
}

export interface ClusterProfile extends GroupStats {
  cluster: number;
  /**
   * Short automatic label from what sets the cluster apart, unique among the clusters: its most
   * distinctive behaviour traits, then its most over-represented category or title words, e.g.
   * "Frequent, big baskets · candle, holder" (see label.ts).
   */
  label: string;
  /**
   * Terms of the item titles that set the cluster apart (class-based TF-IDF), best first; made of
   * category and brand names instead when no item has a title (see ClusterProfiles.termSource).
   */
  terms: { term: string; score: number }[];
  /** Behaviour traits against everybody, most distinctive first; absent in noised (privacy) profiles. */
  traits?: Trait[];
}

export interface ClusterProfiles {
  k: number;
  /** Sequences profiled (the map's points). */
  users: number;
  /**
   * Items left out as service lines (postage, fees...): absent from every top list, term, funnel
   * step and amount (revenue and average order value count products only). Absent = none.
   */
  excludedItems?: number;
  hasPrice: boolean;
  hasTitles: boolean;
  hasCategories: boolean;
  hasBrands: boolean;
  /** What the clusters' terms were made of: item titles, or category and brand names when no item has a title. */
  termSource: 'titles' | 'categories' | null;
  overall: GroupStats;
  clusters: ClusterProfile[];
  /**
   * Customers (or sessions) with fewer events than the minimum length: not clustered (too little
   * to place them), but a group of their own, labelled TOO_LITTLE_HISTORY_LABEL, cluster -1 in the
   * exports. `share` is of everybody (clustered and not); its top lists' lifts are within the group
   * (1). Absent when there are none, and in profiles of a selection or noised for privacy.
   */
  tooLittleHistory?: GroupStats & { label: string; minLength: number };
}

/** Per sequence, what the map can colour by and its tooltip shows; typed arrays, n = sequences.count. */
export interface UserAttributes {
  n: number;
  /** Events in the sequence. */
  length: Int32Array;
  /** Purchases minus returns (price x quantity); NaN for every user when the log has no prices. */
  revenue: Float64Array;
  /** Type code (table.typeNames) of the last event. */
  lastType: Uint8Array;
  /** Most frequent country of the user's events (index into table.countries), -1 if none. */
  country: Int32Array;
  /** n x LAST_EVENTS, most recent first: item index, -1 padding. */
  lastItems: Int32Array;
  /** n x LAST_EVENTS, type codes matching lastItems (0 in padding). */
  lastTypes: Uint8Array;
  /** Time of the last event (ms since epoch), NaN without times. */
  lastTime: Float64Array;
}

export interface TimelineEvent {
  /** ms since epoch, or null without times. */
  time: number | null;
  type: string;
  item: string;
  title: string;
  category: string;
  brand: string;
  price: number | null;
  quantity: number | null;
  /** 1-based line of the file. */
  line: number;
}

/** One sequence's events in time order (the first `limit` of them, with the total). */
export interface Timeline {
  index: number;
  id: string;
  total: number;
  events: TimelineEvent[];
}
