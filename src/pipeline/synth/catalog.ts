// The synthetic store's items: a category, brand, price and a meaningful title each, plus a
// popularity weight so that a few items draw most of the traffic, as in every real shop.

import type { Random } from '../numeric/sfc32';
import { BRANDS, interleavedTaxonomy, MAX_CATEGORIES, type CategorySpec } from './taxonomy';

export interface Catalog {
  /** Categories in use; an item's `category` indexes this list. */
  categories: CategorySpec[];
  /** Distinct brand names; an item's `brand` indexes this list, -1 when the brand is missing. */
  brands: string[];
  size: number;
  productId: Int32Array;
  category: Int32Array;
  brand: Int32Array;
  /** Rounded to cents, as the CSV shows it. */
  price: Float64Array;
  /** log(price / category median) in units of the category's spread: what price bands look at. */
  priceZ: Float64Array;
  title: string[];
  /** Relative traffic weight within the category (Zipf-like). */
  popularity: Float64Array;
  /** Items of category c are itemsOf[catStart[c] .. catStart[c+1]). */
  catStart: Int32Array;
  itemsOf: Int32Array;
}

export interface CatalogOptions {
  items: number;
  categories: number;
  /** Share of items without a brand (REES46 leaves many brands empty). */
  missingBrand: number;
}

/** REES46 product ids are 7-8 digit numbers; ours are dense from here so they stay readable. */
export const PRODUCT_ID_BASE = 1_000_000;
/** Zipf exponent of item popularity within a category. */
const POPULARITY_EXPONENT = 0.9;

export function buildCatalog(rng: Random, opts: CatalogOptions): Catalog {
  const { items, categories: nCat } = opts;
  if (!Number.isInteger(nCat) || nCat < 1 || nCat > MAX_CATEGORIES) {
    throw new RangeError(`categories must be an integer in [1, ${MAX_CATEGORIES}], got ${nCat}`);
  }
  if (!Number.isInteger(items) || items < nCat) {
    throw new RangeError(`items must be an integer of at least categories (${nCat}), got ${items}`);
  }
  const categories = interleavedTaxonomy().slice(0, nCat);

  const brands: string[] = [];
  const brandIndex = new Map<string, number>();
  const brandId = (name: string): number => {
    let id = brandIndex.get(name);
    if (id === undefined) {
      id = brands.length;
      brands.push(name);
      brandIndex.set(name, id);
    }
    return id;
  };

  // Uneven category sizes, but every category gets at least one item.
  const sizeWeight = new Float64Array(nCat);
  let weightSum = 0;
  for (let c = 0; c < nCat; c++) weightSum += sizeWeight[c] = rng.gamma(2);
  const category = new Int32Array(items);
  for (let i = 0; i < items; i++) {
    if (i < nCat) {
      category[i] = i;
      continue;
    }
    let x = rng.float() * weightSum;
    let c = 0;
    while (c < nCat - 1 && x >= sizeWeight[c]) x -= sizeWeight[c++];
    category[i] = c;
  }

  const productId = new Int32Array(items);
  const brand = new Int32Array(items);
  const price = new Float64Array(items);
  const priceZ = new Float64Array(items);
  const title: string[] = new Array<string>(items);
  const popularity = new Float64Array(items);
  const rank = new Int32Array(nCat);
  for (let i = 0; i < items; i++) {
    const spec = categories[category[i]];
    productId[i] = PRODUCT_ID_BASE + i;
    const groupBrands = BRANDS[spec.group] ?? [];
    brand[i] = groupBrands.length === 0 || rng.float() < opts.missingBrand ? -1 : brandId(rng.pick(groupBrands));
    const z = rng.normal();
    priceZ[i] = z;
    price[i] = Math.max(0.5, Math.round(spec.medianPrice * Math.exp(spec.priceSigma * z) * 100) / 100);
    title[i] = makeTitle(rng, spec);
    popularity[i] = 1 / (++rank[category[i]]) ** POPULARITY_EXPONENT;
  }

  const catStart = new Int32Array(nCat + 1);
  for (let i = 0; i < items; i++) catStart[category[i] + 1]++;
  for (let c = 0; c < nCat; c++) catStart[c + 1] += catStart[c];
  const cursor = catStart.slice(0, nCat);
  const itemsOf = new Int32Array(items);
  for (let i = 0; i < items; i++) itemsOf[cursor[category[i]]++] = i;

  return { categories, brands, size: items, productId, category, brand, price, priceZ, title, popularity, catStart, itemsOf };
}

function makeTitle(rng: Random, spec: CategorySpec): string {
  let t = '';
  for (const slot of spec.slots) {
    const word = rng.pick(slot);
    if (word !== '') t = t === '' ? word : `${t} ${word}`;
  }
  return t;
}
