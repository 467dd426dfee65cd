// External ids of the synthetic log, derived from dense indices so that nothing per user or per
// session has to be stored to write them, and the planted labels can be joined back onto whatever
// a pipeline reads (it only sees these strings).

import { hash32 } from '../numeric/sfc32';

/** REES46 user ids are 9-digit numbers; user index u is USER_ID_BASE + u. */
export const USER_ID_BASE = 500_000_000;

export function userIdOf(u: number): string {
  return String(USER_ID_BASE + u);
}

/** The user index of a user id string, or -1 when it is not one of ours. */
export function userIndexOf(id: string, users: number): number {
  const u = Number(id) - USER_ID_BASE;
  return Number.isInteger(u) && u >= 0 && u < users ? u : -1;
}

const HEX_DIGITS = '0123456789abcdef';
/** Character codes of one UUID; reused so that building an id allocates only the string itself. */
const UUID_CODES: number[] = new Array<number>(36).fill(45 /* - */);
/** Positions of the 32 hex digits in the 8-4-4-4-12 layout. */
const UUID_SLOTS: number[] = [...Array(36).keys()].filter((i) => i !== 8 && i !== 13 && i !== 18 && i !== 23);

/**
 * A v4-shaped UUID for session s of a log made with `seed`, like REES46's user_session. The first
 * word is a bijective hash of s, so distinct sessions never share an id. Built from char codes:
 * concatenating hex pieces makes a rope of a dozen heap objects per id, and a million rows of
 * those kept the garbage collector busier than all the other formatting together.
 */
export function sessionIdOf(seed: number, s: number): string {
  const mix = hash32((seed >>> 0) ^ 0x5eed5eed);
  const w0 = hash32((s ^ mix) >>> 0);
  const words = [
    w0,
    ((hash32(w0 ^ 0x68e31da4) & 0xffff0fff) | 0x4000) >>> 0,
    ((hash32(w0 ^ 0xb5297a4d) & 0x3fffffff) | 0x80000000) >>> 0,
    hash32(w0 ^ 0x1b56c4e9),
  ];
  for (let k = 0; k < 32; k++) {
    const nibble = (words[k >> 3] >>> (28 - 4 * (k & 7))) & 0xf;
    UUID_CODES[UUID_SLOTS[k]] = HEX_DIGITS.charCodeAt(nibble);
  }
  return String.fromCharCode.apply(null, UUID_CODES);
}
