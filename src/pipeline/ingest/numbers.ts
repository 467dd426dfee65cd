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
