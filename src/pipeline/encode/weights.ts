// How much each event says about a sequence. Stronger intent weighs more (a purchase is worth five
// views); a return takes the item back out. Recent events weigh more than old ones, halving every
// half-life before the sequence's own last event, so old and new customers are compared alike.

import { EncoderError } from './errors';

/** Weights by event type name; custom types use their own name, else `other`. */
export type EventWeights = Record<string, number>;

export const DEFAULT_EVENT_WEIGHTS: Readonly<EventWeights> = Object.freeze({
  view: 1,
  click: 2,
  cart: 3,
  purchase: 5,
  return: -5,
  other: 1,
});

/** Default half-life of the recency decay, in days. 0 turns decay off. */
export const DEFAULT_HALF_LIFE_DAYS = 30;

const MS_PER_DAY = 86_400_000;

/** Per type code (index into table.typeNames): its weight, defaults filled in under the overrides. */
export function typeWeights(typeNames: readonly string[], overrides: Partial<EventWeights> = {}): Float64Array {
  const merged: EventWeights = { ...DEFAULT_EVENT_WEIGHTS };
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) continue;
    if (!Number.isFinite(v)) throw new EncoderError(`The weight of "${k}" events must be a finite number (got ${v}).`, 'bad-options');
    merged[k] = v;
  }
  const w = new Float64Array(typeNames.length);
  typeNames.forEach((name, code) => {
    w[code] = merged[name] ?? merged.other;
  });
  return w;
}

export function checkHalfLife(days: number): number {
  if (!(days >= 0) || days === Infinity) {
    throw new EncoderError(`The recency half-life must be a number of days of at least 0 (0 = no decay), not ${days}.`, 'bad-options');
  }
  return days;
}

/** Weight factor of an event `ageMs` before the sequence's last event. */
export function decay(ageMs: number, halfLifeDays: number): number {
  if (halfLifeDays <= 0 || !(ageMs > 0)) return 1;
  return 0.5 ** (ageMs / (halfLifeDays * MS_PER_DAY));
}
