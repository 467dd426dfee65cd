// The most events the app reads from one log: a bound on the tab's memory (every kept event costs
// about 45 bytes of columns, plus the stages after reading). Remembered in localStorage; a log past
// it stops with a message that points here.

import { DEFAULT_MAX_EVENTS } from '../../pipeline/ingest/readRules';

const STORAGE_KEY = 'seqlens.readLimit';

/** Smallest and largest limits offered: below 1,000 nothing useful is left; past 60M a tab runs out of memory. */
export const READ_LIMIT_MIN = 1_000;
export const READ_LIMIT_MAX = 60_000_000;
export const READ_LIMIT_DEFAULT = DEFAULT_MAX_EVENTS;

export function clampReadLimit(n: number): number {
  if (!Number.isFinite(n)) return READ_LIMIT_DEFAULT;
  return Math.min(READ_LIMIT_MAX, Math.max(READ_LIMIT_MIN, Math.round(n)));
}

/** The limit set in this browser, else the default; a stored value out of range is brought into it. */
export function loadReadLimit(): number {
  try {
    const raw = typeof localStorage === 'undefined' ? null : localStorage.getItem(STORAGE_KEY);
    if (raw === null) return READ_LIMIT_DEFAULT;
    return clampReadLimit(Number(raw));
  } catch {
    return READ_LIMIT_DEFAULT;
  }
}

export function saveReadLimit(n: number): number {
  const v = clampReadLimit(n);
  try {
    if (v === READ_LIMIT_DEFAULT) localStorage.removeItem(STORAGE_KEY);
    else localStorage.setItem(STORAGE_KEY, String(v));
  } catch {
    // Storage refused (private mode, full): the limit still applies to this page.
  }
  return v;
}
