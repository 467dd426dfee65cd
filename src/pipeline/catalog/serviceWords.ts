// The words that make an item title (or id) a service line rather than a product: postage, fees,
// discounts, manual adjustments. Two tiers, because many of these words also name products:
//   - CORE words name a charge or a credit on their own ("postage", "fee", "Versandkosten"); a title
//     is a service title when core and ambiguous words make up at least half of its content words
//     ("DOTCOM POSTAGE", "AMAZON FEE", "Bank Charges"), so "BLACK BAROQUE CARRIAGE CLOCK" is not.
//   - AMBIGUOUS words ("post", "manual", "sample", "gift", "card", "bank") mark a service line
//     only when the title is made of nothing else ("Manual", "SAMPLES", "Gift card"), so
//     "EASTER EGG HUNT START POST" and "GIFT CARD HOLDER" stay products.
// Matching is on accent-folded, lower-cased words, so "envío" and "envio", "Gebühr" and "gebuhr"
// are the same word. Chinese, Japanese and Korean titles have no spaces: their terms are matched as
// substrings of a short title instead (see cjkServiceTerm).

const CORE_LIST =
  // English
  'postage shipping shipment carriage freight delivery courier fee fees surcharge surcharges charge charges commission ' +
  'adjustment adjustments adjust discount discounts rebate coupon coupons voucher vouchers refund refunds giftcard ' +
  'giftvoucher donation handling ' +
  // German
  'versand versandkosten versandpauschale porto lieferung liefergebuhr gebuhr gebuhren bearbeitungsgebuhr rabatt ' +
  'gutschein nachnahme zuschlag pfand ' +
  // French
  'livraison frais expedition remise reduction ' +
  // Spanish, Portuguese
  'envio envios descuento cargo recargo comision frete desconto taxa portes ' +
  // Italian
  'spedizione consegna sconto commissione ' +
  // Dutch
  'verzendkosten verzending korting bezorging toeslag ' +
  // Polish
  'wysylka dostawa rabat oplata';

const AMBIGUOUS_LIST =
  'post manual sample samples gift card certificate bank tax vat duty duties insurance tip deposit payment credit ' +
  'debt bad service misc miscellaneous cod cash packaging wrapping port bon achat cadeau carte gastos entrega tarjeta ' +
  'regalo vale spese buono kosten dotcom online amazon ebay paypal stripe';

/** Words that qualify a charge without saying what it is ("standard", "express"): not counted either way. */
const NEUTRAL_LIST = 'standard express free international domestic order extra cost costs next day same uk eu us usa';

export const CORE_WORDS: ReadonlySet<string> = new Set(CORE_LIST.split(/\s+/));
export const AMBIGUOUS_WORDS: ReadonlySet<string> = new Set(AMBIGUOUS_LIST.split(/\s+/));
const NEUTRAL_WORDS: ReadonlySet<string> = new Set(NEUTRAL_LIST.split(/\s+/));

/** Function words of the languages above, skipped when counting a title's content words. */
const STOP_WORDS: ReadonlySet<string> = new Set(
  'a an and the of to for on in at by with from all match de la le les el los las del des du d und der die das di da van het en y e et'.split(' '),
);

/** Service terms of languages written without spaces. */
const CJK_TERMS = [
  '运费',
  '邮费',
  '快递费',
  '配送费',
  '手续费',
  '折扣',
  '优惠券',
  '礼品卡',
  '送料',
  '配送料',
  '手数料',
  '割引',
  'クーポン',
  '배송비',
  '수수료',
  '할인',
  '쿠폰',
];
/** A CJK title is a service title when it is at most this many characters longer than its term. */
const CJK_SLACK = 4;

const WORD_RE = /[\p{L}\p{N}]+/gu;
const ASCII_WORD_RE = /[A-Za-z0-9]+/g;
const NUMBER_RE = /^\p{N}+$/u;

/** Lower-cased, accents folded ("Gebühr" -> "gebuhr", "envío" -> "envio"), compatibility forms plain. */
const ASCII_RE = /^[\x00-\x7f]*$/;

export function foldWord(w: string): string {
  // Most catalogues are plain ASCII: normalising every word would cost more than the rest together.
  if (ASCII_RE.test(w)) return w.toLowerCase();
  return w.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/ł/g, 'l');
}

export function words(text: string): string[] {
  const out: string[] = [];
  for (const m of text.normalize('NFKC').matchAll(WORD_RE)) out.push(foldWord(m[0]));
  return out;
}

/**
 * The service word that makes `title` a service title, or null when it reads as a product. The
 * word returned is the first core word (else the first ambiguous one), as written in the title,
 * for the reason shown to the user.
 */
export function serviceTitleWord(title: string): string | null {
  return serviceTitle(title)?.word ?? null;
}

/**
 * serviceTitleWord with how sure it is: `whole` when the title is nothing but service words
 * ("POSTAGE", "Bank charges"), false when they are only half of it ("Shipping box" could be a box).
 */
export function serviceTitle(title: string): { word: string; whole: boolean } | null {
  const t = title.trim();
  if (t === '') return null;
  let content = 0;
  let core = 0;
  let ambiguous = 0;
  let firstCore: string | null = null;
  let firstAmbiguous: string | null = null;
  const ascii = ASCII_RE.test(t);
  if (!ascii) {
    const cjk = cjkServiceTerm(t);
    if (cjk) return { word: cjk, whole: true };
  }
  for (const m of ascii ? t.matchAll(ASCII_WORD_RE) : t.normalize('NFKC').matchAll(WORD_RE)) {
    const w = foldWord(m[0]);
    if (NUMBER_RE.test(w) || STOP_WORDS.has(w) || NEUTRAL_WORDS.has(w) || w.length < 2) continue;
    content++;
    if (CORE_WORDS.has(w) || compoundCore(w)) {
      core++;
      firstCore ??= m[0];
    } else if (AMBIGUOUS_WORDS.has(w)) {
      ambiguous++;
      firstAmbiguous ??= m[0];
    }
  }
  if (content === 0) return null;
  // Nothing but service words ("Manual", "Gift card", "Adjust bad debt").
  if (core + ambiguous === content) return { word: (firstCore ?? firstAmbiguous)!.toLowerCase(), whole: true };
  // A charge word with at most as many other words ("AMAZON FEE", "Dotcomgiftshop Gift Voucher £20").
  if (core > 0 && (core + ambiguous) * 2 >= content) return { word: firstCore!.toLowerCase(), whole: false };
  return null;
}

/** Words long enough to be read at the end of a compound ("Nachnahmegebühr", "Expressversand"). */
const COMPOUND_TAILS = [...CORE_WORDS].filter((w) => w.length >= 6);

function compoundCore(w: string): boolean {
  if (w.length < 9) return false;
  for (const tail of COMPOUND_TAILS) if (w.endsWith(tail)) return true;
  return false;
}

function cjkServiceTerm(title: string): string | null {
  const chars = Array.from(title.replace(/\s+/g, ''));
  for (const term of CJK_TERMS) {
    if (title.includes(term) && chars.length <= Array.from(term).length + CJK_SLACK) return term;
  }
  return null;
}

/**
 * A word of an item id that names a charge ("SHIP-STD", "fee_cod", "POSTAGE"): the id split at
 * anything not a letter or digit and between letters and digits. Whole words only, so "COFFEE"
 * does not contain "fee".
 */
export function serviceIdWord(id: string): string | null {
  const parts = id.split(/[^\p{L}\p{N}]+|(?<=\p{L})(?=\p{N})|(?<=\p{N})(?=\p{L})/u);
  for (const p of parts) {
    const w = foldWord(p);
    if (w.length >= 3 && (CORE_WORDS.has(w) || ID_WORDS.has(w))) return p.toLowerCase();
  }
  return null;
}

/** Abbreviations that name a charge in ids only (in a title they would be too ambiguous). */
const ID_WORDS: ReadonlySet<string> = new Set(['ship', 'post', 'disc', 'adj', 'manual', 'sample', 'samples', 'bank', 'cod', 'tax', 'vat']);
