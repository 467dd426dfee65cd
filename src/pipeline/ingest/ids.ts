// One rule for ids (users, sessions, items, and the category / brand / country values): Unicode
// whitespace at either end is trimmed, zero-width characters are removed anywhere, and the text is
// normalised to NFC. So " alice", "alice\t", "al\u200Bice" and "alice" are one user, as they look
// the same in every export. Most ids are plain ASCII with no space at the ends: those are checked
// byte by byte and read in place, never sliced or normalised.

/** Zero-width space / non-joiner / joiner, word joiner, byte-order mark, soft hyphen. */
const INVISIBLE = /[\u200B-\u200D\u2060\uFEFF\u00AD]/g;

/** Whether text[start, end) needs normaliseId: a non-ASCII character, or a space or control character at an end. */
export function needsNormalising(text: string, start: number, end: number): boolean {
  if (start >= end) return false;
  if (text.charCodeAt(start) <= 32 || text.charCodeAt(end - 1) <= 32) return true;
  for (let i = start; i < end; i++) if (text.charCodeAt(i) >= 0x80) return true;
  return false;
}

/** The id rule (see the header). */
export function normaliseId(s: string): string {
  return s.replace(INVISIBLE, '').trim().normalize('NFC');
}
