// Plain decimals ("83.04", "-6", "0.5") read straight from a range of text. Exact: an integer
// mantissa below 2^53 divided by a power of ten up to 1e22 is a single correctly rounded operation,
// so the result is the same double that Number() gives. Anything else returns NaN for the caller
// to hand to Number().

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

export function parseDecimal(text: string, start: number, end: number): number {
  let i = start;
  let neg = false;
  const first = text.charCodeAt(i);
  if (first === 45 /* - */ || first === 43 /* + */) {
    neg = first === 45;
    i++;
  }
  let mantissa = 0;
  let digits = 0;
  let scale = -1;
  for (; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      mantissa = mantissa * 10 + (c - 48);
      digits++;
      if (scale >= 0) scale++;
    } else if (c === 46 /* . */ && scale < 0) {
      scale = 0;
    } else {
      return NaN;
    }
  }
  if (digits === 0 || digits > 15 || scale > 22) return NaN;
  const v = scale > 0 ? mantissa / POW10[scale] : mantissa;
  return neg ? -v : v;
}

/**
 * How a column writes its numbers, decided once per column from the sample (see numberStyle):
 * the decimal mark is '.' (thousands ',': "1,299.50") or ',' (thousands '.' or space: "1.299,50").
 */
export type DecimalMark = '.' | ',';

/** Prices and quantities beyond this magnitude are refused: no basket holds them, and sums of them overflow. */
export const MAX_AMOUNT = 1e9;

/**
 * The decimal mark of a column from sample values: ',' when some value ends in a comma and one,
 * two or four-plus digits ("2,50") and none ends in a point and such digits ("2.50"), else '.'.
 * Three digits after the last mark ("1,299" / "1.299") say nothing: they read as thousands.
 */
export function decimalMarkOf(values: readonly string[]): DecimalMark {
  let comma = 0;
  let point = 0;
  for (const raw of values) {
    const v = raw.trim();
    const c = v.lastIndexOf(',');
    const p = v.lastIndexOf('.');
    const last = Math.max(c, p);
    if (last < 0) continue;
    let digits = 0;
    for (let i = last + 1; i < v.length; i++) {
      const ch = v.charCodeAt(i);
      if (ch < 48 || ch > 57) break;
      digits++;
    }
    if (digits === 0 || digits === 3) continue;
    if (last === c) comma++;
    else point++;
  }
  return comma > 0 && point === 0 ? ',' : '.';
}

/** A number with its grouping marks, decimal mark and exponent: the one shape an amount may take. */
const POINT_NUMBER = /^[+-]?(?:\d+|\d{1,3}(?:,\d{3})+)(?:\.\d*)?(?:[eE][+-]?\d+)?$/;
const COMMA_NUMBER = /^[+-]?(?:\d+|\d{1,3}(?:[. \u00A0\u202F]\d{3})+)(?:,\d*)?(?:[eE][+-]?\d+)?$/;
/** Currency signs and codes around an amount ("$1,299.00", "12,50 €", "EUR 12.50"). */
const CURRENCY = /^[\s$€£¥₹₽₩]*(?:[A-Z]{3}\s*)?|(?:\s*[A-Z]{3})?[\s$€£¥₹₽₩]*$/g;

/**
 * Reads an amount by its column's rule: an optional sign and currency around one number written
 * with the column's decimal mark (grouping marks allowed, an exponent allowed). NaN when the text
 * is not such a number; the value as read otherwise (the caller checks its range).
 */
export function parseAmount(text: string, start: number, end: number, mark: DecimalMark): number {
  if (mark === '.') {
    const v = parseDecimal(text, start, end);
    if (!Number.isNaN(v)) return v;
  }
  let s = text.slice(start, end).trim();
  let neg = false;
  if (s.startsWith('-') || s.startsWith('+')) {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  // JSON numbers too large for a double arrive as "Infinity": out of range, not unreadable.
  if (s === 'Infinity') return neg ? -Infinity : Infinity;
  s = s.replace(CURRENCY, '');
  if (s.startsWith('-') || s.startsWith('+')) {
    if (neg && s[0] === '-') return NaN;
    neg = neg || s[0] === '-';
    s = s.slice(1);
  }
  if (mark === '.') {
    if (!POINT_NUMBER.test(s)) return NaN;
    s = s.replace(/,/g, '');
  } else {
    if (!COMMA_NUMBER.test(s)) return NaN;
    s = s.replace(/[. \u00A0\u202F]/g, '').replace(',', '.');
  }
  if (s === '' || s === '.') return NaN;
  const v = Number(s);
  return neg ? -v : v;
}
