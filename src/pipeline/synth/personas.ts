// Planted shopper segments. Each persona differs from the others on several axes at once (which
// departments it shops, how far down the funnel it goes, what it pays, how often and how long it
// browses), the way real segments do, so a clustering that recovers them has learnt behaviour and
// not one artefact. Users of a persona still vary (their own Dirichlet draw around the persona's
// taste) and a share of every persona's views is noise.

import type { Catalog } from './catalog';
import type { Random } from '../numeric/sfc32';
import type { CategorySpec } from './taxonomy';

export type PriceBand = 'budget' | 'mid' | 'premium';

export interface Persona {
  id: number;
  /** Human-readable, e.g. "premium electronics browsers"; for reports and plots. */
  name: string;
  /** Probability of each category (sums to 1); users draw their own taste around it. */
  taste: Float64Array;
  /** The categories this persona concentrates on. */
  favorites: number[];
  /** P(cart | view) and P(purchase | cart): the funnel depth. */
  cartRate: number;
  purchaseRate: number;
  priceBand: PriceBand;
  /** Mean number of sessions per user and of events per session. */
  sessionsMean: number;
  sessionLengthMean: number;
  /** Mean seconds between a view and the next event. */
  dwellSeconds: number;
  /** Probability that a view ignores taste and price band (general-public browsing). */
  noise: number;
  /** Share of users. */
  share: number;
}

interface Archetype {
  name: string;
  cartRate: number;
  purchaseRate: number;
  sessionsMean: number;
  sessionLengthMean: number;
  dwellSeconds: number;
}

const ARCHETYPES: readonly Archetype[] = [
  { name: 'browsers', cartRate: 0.03, purchaseRate: 0.15, sessionsMean: 4, sessionLengthMean: 9, dwellSeconds: 35 },
  { name: 'decisive buyers', cartRate: 0.25, purchaseRate: 0.65, sessionsMean: 2, sessionLengthMean: 4, dwellSeconds: 75 },
  { name: 'cart abandoners', cartRate: 0.3, purchaseRate: 0.08, sessionsMean: 3, sessionLengthMean: 6, dwellSeconds: 50 },
  { name: 'regulars', cartRate: 0.1, purchaseRate: 0.45, sessionsMean: 6, sessionLengthMean: 5, dwellSeconds: 45 },
];
const BANDS: readonly PriceBand[] = ['budget', 'mid', 'premium'];
/** Centre of each band in priceZ units (log-price sigmas from the category median). */
export const BAND_TARGET: Readonly<Record<PriceBand, number>> = { budget: -1, mid: 0, premium: 1 };
const BAND_WIDTH = 0.75;
/** Share of a persona's taste on its favourite categories; the rest is spread evenly. */
const FOCUS = 0.8;

export function makePersonas(rng: Random, count: number, categories: readonly CategorySpec[], noise: number): Persona[] {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`segments must be a positive integer, got ${count}`);
  const nCat = categories.length;
  // Disjoint favourites while there are enough categories; with more personas than that they
  // overlap and the funnel and price band keep them apart.
  const perPersona = Math.max(1, Math.min(3, Math.floor(nCat / count)));
  const order = rng.shuffle(Array.from({ length: nCat }, (_, i) => i));
  const jitter = (v: number): number => v * rng.range(0.85, 1.15);

  const personas: Persona[] = [];
  for (let k = 0; k < count; k++) {
    const favorites = Array.from({ length: perPersona }, (_, j) => order[(k * perPersona + j) % nCat]);
    const focus = rng.dirichlet(new Array<number>(perPersona).fill(2), new Float64Array(perPersona));
    const taste = new Float64Array(nCat).fill((1 - FOCUS) / nCat);
    favorites.forEach((c, j) => (taste[c] += FOCUS * focus[j]));
    // Archetype and band cycle with coprime periods (4, 3): up to 12 personas get distinct pairs.
    const arch = ARCHETYPES[k % ARCHETYPES.length];
    const band = BANDS[k % BANDS.length];
    const top = favorites[focus.indexOf(Math.max(...focus))];
    personas.push({
      id: k,
      name: `${band} ${categories[top].group.replace('_', ' ')} ${arch.name}`,
      taste,
      favorites,
      cartRate: Math.min(0.9, jitter(arch.cartRate)),
      purchaseRate: Math.min(0.95, jitter(arch.purchaseRate)),
      priceBand: band,
      sessionsMean: jitter(arch.sessionsMean),
      sessionLengthMean: jitter(arch.sessionLengthMean),
      dwellSeconds: jitter(arch.dwellSeconds),
      noise: Math.min(1, noise * rng.range(0.5, 1.5)),
      share: 1 / count,
    });
  }
  return personas;
}

/**
 * Per persona, cumulative item weights laid out like catalog.itemsOf (grouped by category), so
 * that an item of category c is drawn by sampling the range catStart[c]..catStart[c+1]. The
 * weight is popularity times closeness of the item's price to the persona's band.
 */
export function personaItemTables(catalog: Catalog, personas: readonly Persona[]): Float64Array[] {
  return personas.map((p) => {
    const target = BAND_TARGET[p.priceBand];
    return cumulativeOverItems(catalog, (i) => {
      const d = (catalog.priceZ[i] - target) / BAND_WIDTH;
      return catalog.popularity[i] * Math.exp(-0.5 * d * d);
    });
  });
}

/** Cumulative popularity alone: how the noise share of views picks items. */
export function popularityTable(catalog: Catalog): Float64Array {
  return cumulativeOverItems(catalog, (i) => catalog.popularity[i]);
}

function cumulativeOverItems(catalog: Catalog, weight: (item: number) => number): Float64Array {
  const cum = new Float64Array(catalog.size);
  let acc = 0;
  for (let k = 0; k < catalog.size; k++) {
    // A floor keeps every item reachable: an exact zero would make a category range unsampleable.
    acc += Math.max(1e-12, weight(catalog.itemsOf[k]));
    cum[k] = acc;
  }
  return cum;
}
