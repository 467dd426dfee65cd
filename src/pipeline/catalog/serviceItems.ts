// Service lines: the rows of a log that are not products a shopper chose (postage, carriage, bank
// charges, marketplace fees, discounts, manual adjustments, gift vouchers, samples). Left in, they
// top every cluster's list (postage is on most invoices), fill recommendations with "POSTAGE" and
// make title terms like "postage" look distinctive. Detected from three kinds of evidence, each
// worth points; an item with 2 points or more is a service line:
//   - its title is made of charge words ("DOTCOM POSTAGE", "Versandkosten", "送料"): 3 points, alone
//     enough (serviceWords.ts says when a title counts); 1 point only when charge words are just half
//     of the title and the item is bought in quantities above 1 ("Shipping box" by the dozen);
//   - its id: a word of the id names a charge ("SHIP-STD"), or the id is shaped unlike the
//     catalogue's (no digit where nearly every id has one, a space, or far shorter): 1 point each;
//   - its behaviour against the rest of the log: a price that changes from row to row (most rows a
//     different price, spread widely: postage priced per order), never charged (price 0 in every
//     row), mostly negative prices (credits), or on a large share of baskets with quantity 1: 1
//     point each.
// So an odd id alone ("DCGSSGIRL", a real product sold through another channel) or one odd
// behaviour alone (an item whose price was mistyped a few times) is not enough, while "PADS" (an
// all-letter id never charged) or an untitled line priced anew on every order is.
//
// One pass over the rows into per-item counters (typed arrays), then one sort per item of at most
// PRICE_SAMPLE prices: linear in rows, nothing allocated per row.

import type { EventTable } from '../ingest/table';
import { serviceIdWord, serviceTitle } from './serviceWords';

export interface ServiceItemOptions {
  /** Rows with a price an item needs before its price behaviour is judged (default 8). */
  minPricedRows?: number;
  /** Points needed to call an item a service line (default 2). */
  threshold?: number;
}

export type ServiceSignal = 'title' | 'id-word' | 'id-shape' | 'price-varies' | 'never-charged' | 'negative-price' | 'many-baskets';

/** Why one item was called a service line: the numbers behind the reason (null where not measured). */
export interface ServiceEvidence {
  signals: ServiceSignal[];
  score: number;
  rows: number;
  /** Share of the log's baskets (sessions or invoices; users without sessions) with the item. */
  basketShare: number | null;
  /** Highest over lowest positive price (10th and 90th percentiles), with enough priced rows. */
  priceSpread: number | null;
  /** Distinct prices / priced rows (of the first PRICE_SAMPLE). */
  distinctPriceShare: number | null;
  /** Share of rows with a quantity of exactly 1 (or -1); null without quantities. */
  quantityOneShare: number | null;
}

export interface ServiceItem {
  /** Index into table.items. */
  item: number;
  id: string;
  title: string;
  /** What the user reads: "title says postage; id has no digits, unlike 99% of ids". */
  reason: string;
  evidence: ServiceEvidence;
}

export interface ServiceDetection {
  /** Per item (table.items order): 1 = service line. */
  mask: Uint8Array;
  /** The service lines, most rows first (ties by item index). */
  items: ServiceItem[];
}

/** Prices kept per item for the price behaviour (the first ones met): enough to see a spread. */
const PRICE_SAMPLE = 512;
/** Price variation: most rows priced differently... */
const DISTINCT_SHARE = 0.5;
/** ...and spread out: half the rows at least this far (relative) from the median price. */
const RELATIVE_MAD = 0.2;
/** A catalogue "has digits in its ids" when at least this share of ids do. */
const DIGIT_CATALOGUE = 0.9;
/** Ids are only compared with the catalogue's when there are this many. */
const MIN_CATALOGUE = 20;
/** Many baskets: on at least this share of baskets... */
const BASKET_SHARE = 0.02;
/** ...with quantity 1 in at least this share of rows. */
const QUANTITY_ONE_SHARE = 0.8;
/** Bought in quantities above 1 in most rows (quantity 1 in fewer than this share): goods, not a charge. */
const BULK_QUANTITY_ONE = 0.3;

const pct = (x: number): string => (x < 1 && x >= 0.995 ? `${(Math.floor(x * 1000) / 10).toFixed(1)}%` : `${Math.round(x * 100)}%`);
/** "Never charged": every price at most this share of the catalogue's median price (0, or a token 0.001). */
const TOKEN_PRICE = 0.01;
const times = (x: number): string => (x >= 100 ? `${Math.round(x).toLocaleString('en')}x` : `${x.toFixed(x >= 10 ? 0 : 1)}x`);

export function detectServiceItems(table: EventTable, options: ServiceItemOptions = {}): ServiceDetection {
  const minPriced = options.minPricedRows ?? 8;
  const threshold = options.threshold ?? 2;
  const nItems = table.items.length;
  const n = table.length;
  const { item, price, quantity, session, user } = table;

  const rows = new Int32Array(nItems);
  const priced = new Int32Array(nItems);
  const zero = new Int32Array(nItems);
  const negative = new Int32Array(nItems);
  const maxPrice = new Float64Array(nItems);
  const firstPrice = new Float64Array(nItems);
  const qtyKnown = new Int32Array(nItems);
  const qtyOne = new Int32Array(nItems);
  const baskets = new Int32Array(nItems);
  // A basket is a session (an invoice in invoice logs), else the user; the item's count goes up when
  // its basket differs from the last one it was seen in: exact when a basket's rows are together (as
  // in invoice logs), an upper bound when baskets interleave.
  const nSessions = table.sessions.length;
  const lastBasket = new Int32Array(nItems).fill(-1);
  const basketSeen = new Uint8Array(nSessions + table.users.length);
  let nBaskets = 0;
  for (let r = 0; r < n; r++) {
    const it = item[r];
    rows[it]++;
    const p = price[r];
    if (p > 0) {
      if (priced[it]++ === 0) firstPrice[it] = p;
      if (p > maxPrice[it]) maxPrice[it] = p;
    } else if (p === 0) zero[it]++;
    else if (p < 0) negative[it]++;
    const q = quantity[r];
    if (!Number.isNaN(q)) {
      qtyKnown[it]++;
      if (q === 1 || q === -1) qtyOne[it]++;
    }
    const b = session[r] >= 0 ? session[r] : user[r] >= 0 ? nSessions + user[r] : -1;
    if (b >= 0) {
      if (basketSeen[b] === 0) {
        basketSeen[b] = 1;
        nBaskets++;
      }
      if (lastBasket[it] !== b) {
        lastBasket[it] = b;
        baskets[it]++;
      }
    }
  }

  // The first PRICE_SAMPLE positive prices of each item, grouped by item (CSR).
  const start = new Int32Array(nItems + 1);
  for (let i = 0; i < nItems; i++) start[i + 1] = start[i] + Math.min(priced[i], PRICE_SAMPLE);
  const prices = new Float64Array(start[nItems]);
  const fill = start.slice(0, nItems);
  for (let r = 0; r < n; r++) {
    const p = price[r];
    const it = item[r];
    if (p > 0 && fill[it] < start[it + 1]) prices[fill[it]++] = p;
  }

  // The catalogue's id shape: how many ids have a digit or a space, and their usual length.
  let withDigit = 0;
  let withSpace = 0;
  const lengths = new Int32Array(nItems);
  for (let i = 0; i < nItems; i++) {
    const id = table.items[i];
    if (/\p{N}/u.test(id)) withDigit++;
    if (/\s/.test(id)) withSpace++;
    lengths[i] = id.length;
  }
  const medianLength = nItems > 0 ? lengths.slice().sort()[nItems >> 1] : 0;
  const digitCatalogue = nItems >= MIN_CATALOGUE && withDigit >= DIGIT_CATALOGUE * nItems;
  const spaceRare = nItems >= MIN_CATALOGUE && withSpace * 100 < nItems;
  const shortLimit = Math.min(3, Math.floor(medianLength / 2));
  // "Never charged" only means something where most items have a price: then an item whose every
  // price is 0 or a token amount (far below the catalogue's median item price) is not sold.
  let chargedItems = 0;
  for (let i = 0; i < nItems; i++) if (priced[i] > 0) chargedItems++;
  const itemPrices = new Float64Array(chargedItems);
  for (let i = 0, j = 0; i < nItems; i++) if (priced[i] > 0) itemPrices[j++] = firstPrice[i];
  const medianPrice = chargedItems > 0 ? itemPrices.sort()[chargedItems >> 1] : 0;
  const pricesMatter = table.hasPrice && chargedItems * 2 > nItems && medianPrice > 0;

  const mask = new Uint8Array(nItems);
  const found: ServiceItem[] = [];
  for (let i = 0; i < nItems; i++) {
    const id = table.items[i];
    const title = table.itemTitle[i] ?? '';
    const signals: ServiceSignal[] = [];
    const reasons: string[] = [];
    let score = 0;

    const t = serviceTitle(title);
    const qOne = qtyKnown[i] > 0 ? qtyOne[i] / qtyKnown[i] : null;
    if (t) {
      // A title half made of charge words ("Shipping box") is a product after all when it is
      // bought by the dozen; a title of nothing else ("POSTAGE") is a service line whatever the quantities.
      const bulk = !t.whole && qOne !== null && qtyKnown[i] >= 3 && qOne < BULK_QUANTITY_ONE;
      score += bulk ? 1 : 3;
      signals.push('title');
      reasons.push(`title says ${t.word}`);
    }
    const idWord = serviceIdWord(id);
    if (idWord) {
      score += 1;
      signals.push('id-word');
      reasons.push(`id says ${idWord}`);
    }
    const shape =
      digitCatalogue && !/\p{N}/u.test(id)
        ? `id has no digits, unlike ${pct(withDigit / nItems)} of ids`
        : spaceRare && /\s/.test(id)
          ? 'id contains a space, unlike nearly all ids'
          : nItems >= MIN_CATALOGUE && id.length <= shortLimit
            ? `id is only ${id.length} character${id.length === 1 ? '' : 's'} long (most have ${medianLength})`
            : null;
    if (shape) {
      score += 1;
      signals.push('id-shape');
      reasons.push(shape);
    }

    let spread: number | null = null;
    let distinctShare: number | null = null;
    const m = start[i + 1] - start[i];
    if (m >= minPriced) {
      const s = prices.subarray(start[i], start[i + 1]).sort();
      let distinct = 1;
      for (let j = 1; j < m; j++) if (s[j] !== s[j - 1]) distinct++;
      distinctShare = distinct / m;
      const median = s[m >> 1];
      spread = s[Math.round(0.9 * (m - 1))] / s[Math.round(0.1 * (m - 1))];
      // The spread test only where prices differ from row to row at all (most products have a few list prices).
      if (distinctShare >= DISTINCT_SHARE && relativeMad(s, median) >= RELATIVE_MAD) {
        score += 1;
        signals.push('price-varies');
        reasons.push(`price varies ${times(s[m - 1] / s[0])} across rows (${pct(distinctShare)} of rows priced differently)`);
      }
    }
    if (pricesMatter && negative[i] === 0 && priced[i] + zero[i] > 0 && maxPrice[i] <= TOKEN_PRICE * medianPrice) {
      score += 1;
      signals.push('never-charged');
      const all = priced[i] + zero[i] === 1 ? 'its only row' : `all ${priced[i] + zero[i]} rows`;
      reasons.push(
        maxPrice[i] === 0 ? `never charged (price 0 in ${all})` : `never charged (at most ${maxPrice[i]} in ${all}; the usual price is ${medianPrice})`,
      );
    }
    if (negative[i] > 0 && negative[i] * 2 > priced[i] + negative[i]) {
      score += 1;
      signals.push('negative-price');
      reasons.push(`negative price in ${negative[i]} of ${priced[i] + negative[i] + zero[i]} rows`);
    }
    const basketShare = nBaskets > 0 ? baskets[i] / nBaskets : null;
    if (basketShare !== null && qOne !== null && basketShare >= BASKET_SHARE && qOne >= QUANTITY_ONE_SHARE) {
      score += 1;
      signals.push('many-baskets');
      reasons.push(`on ${pct(basketShare)} of baskets, quantity 1 in ${pct(qOne)} of rows`);
    }

    if (score >= threshold) {
      mask[i] = 1;
      found.push({
        item: i,
        id,
        title,
        reason: reasons.join('; '),
        evidence: { signals, score, rows: rows[i], basketShare, priceSpread: spread, distinctPriceShare: distinctShare, quantityOneShare: qOne },
      });
    }
  }
  found.sort((a, b) => b.evidence.rows - a.evidence.rows || a.item - b.item);
  return { mask, items: found };
}

/** Median absolute deviation from `median`, relative to it, of sorted positive prices. */
function relativeMad(sorted: Float64Array, median: number): number {
  const m = sorted.length;
  const dev = new Float64Array(m);
  for (let j = 0; j < m; j++) dev[j] = Math.abs(sorted[j] - median);
  return dev.sort()[m >> 1] / median;
}
