// Event types are normalised to a small canonical set so that every later stage can weight them;
// anything else is kept as a custom type under its own (lower-cased) name.

import { type BlockBytes, Dict } from './dict';

export const VIEW = 0;
export const CLICK = 1;
export const CART = 2;
export const PURCHASE = 3;
export const RETURN = 4;
export const CANONICAL_TYPES = ['view', 'click', 'cart', 'purchase', 'return'] as const;
/** At most this many distinct types; more are folded into "other" (codes must fit a Uint8). */
export const MAX_TYPES = 250;

const SYNONYMS: Record<string, number> = {};
function add(code: number, names: string[]): void {
  for (const n of names) SYNONYMS[n] = code;
}
add(VIEW, ['view', 'views', 'pageview', 'page_view', 'detail', 'product_view', 'productview', 'viewed', 'impression', 'visit', 'view_item']);
add(CLICK, ['click', 'clicks', 'clicked', 'select_item', 'product_click']);
add(CART, ['cart', 'carts', 'addtocart', 'add_to_cart', 'add-to-cart', 'addtobasket', 'add_to_basket', 'basket', 'added_to_cart']);
add(PURCHASE, ['purchase', 'purchases', 'order', 'orders', 'buy', 'bought', 'transaction', 'checkout_complete', 'sale', 'conversion', 'purchased']);
add(RETURN, ['return', 'returns', 'refund', 'refunds', 'cancel', 'cancellation', 'cancelled', 'canceled', 'returned']);

function key(raw: string): string {
  return raw
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
}

/** Maps raw event-type strings to small integer codes, normalising each distinct string once. */
export class EventTypeDict {
  readonly names: string[] = [...CANONICAL_TYPES];
  private readonly byName = new Map<string, number>();
  private readonly byRaw = new Map<string, number>();

  constructor() {
    this.names.forEach((n, i) => this.byName.set(n, i));
  }

  private readonly rawIds = new Dict();
  private readonly rawCodes: number[] = [];

  /** Looks raw types up in the block's bytes while they line up with it (Dict.attachBlock). */
  attachBlock(block: BlockBytes): void {
    this.rawIds.attachBlock(block);
  }

  /** Code of the type written in text[start, end): each distinct raw string is normalised once. */
  codeAt(text: string, start: number, end: number): number {
    const id = this.rawIds.idOf(text, start, end);
    if (id === this.rawCodes.length) this.rawCodes.push(this.code(this.rawIds.values[id]));
    return this.rawCodes[id];
  }

  code(raw: string): number {
    let c = this.byRaw.get(raw);
    if (c !== undefined) return c;
    const k = key(raw);
    c = SYNONYMS[k] ?? SYNONYMS[k.replace(/_/g, '')];
    if (c === undefined) {
      const name = k === '' ? 'unknown' : k;
      c = this.byName.get(name);
      if (c === undefined) {
        if (this.names.length >= MAX_TYPES) {
          c = this.byName.get('other') ?? this.push('other');
        } else {
          c = this.push(name);
        }
      }
    }
    this.byRaw.set(raw, c);
    return c;
  }

  private push(name: string): number {
    const c = this.names.length;
    this.names.push(name);
    this.byName.set(name, c);
    return c;
  }
}
