// Per-user attributes the map colours by and its tooltips show: one pass over the sequences'
// events, everything in typed arrays (they go to the page as transferable buffers).

import type { EventTable } from '../ingest/table';
import type { Sequences } from '../sequences';
import { eventAmount } from './money';
import type { UserAttributes } from './types';

/** Events of each user kept for the tooltip's "last events", most recent first. */
export const LAST_EVENTS = 3;

/**
 * `exclude`: items (service lines: postage, fees...) whose amounts are left out of the revenue, as
 * the cluster profiles leave them out, so a cluster's revenue stays the sum of its users'.
 */
export function userAttributes(table: EventTable, sequences: Sequences, exclude: Uint8Array | null = null): UserAttributes {
  const n = sequences.count;
  const { offsets, events } = sequences;
  const length = new Int32Array(n);
  const revenue = new Float64Array(n);
  const lastType = new Uint8Array(n);
  const country = new Int32Array(n).fill(-1);
  const lastItems = new Int32Array(n * LAST_EVENTS).fill(-1);
  const lastTypes = new Uint8Array(n * LAST_EVENTS);
  const lastTime = new Float64Array(n).fill(NaN);
  // Per-country counts of the current user, reset only where it had events.
  const counts = new Int32Array(table.countries.length);
  const touched = new Int32Array(table.countries.length);

  for (let u = 0; u < n; u++) {
    const lo = offsets[u];
    const hi = offsets[u + 1];
    length[u] = hi - lo;
    if (table.hasPrice) {
      let r = 0;
      if (exclude) {
        for (let j = lo; j < hi; j++) if (!exclude[table.item[events[j]]]) r += eventAmount(table, events[j]);
      } else for (let j = lo; j < hi; j++) r += eventAmount(table, events[j]);
      revenue[u] = r;
    } else revenue[u] = NaN;
    if (hi > lo) {
      const last = events[hi - 1];
      lastType[u] = table.type[last];
      if (table.hasTime) lastTime[u] = table.time[last];
    }
    for (let j = hi - 1, r = 0; j >= lo && r < LAST_EVENTS; j--, r++) {
      lastItems[u * LAST_EVENTS + r] = table.item[events[j]];
      lastTypes[u * LAST_EVENTS + r] = table.type[events[j]];
    }
    country[u] = modalCountry(table.country, events, lo, hi, counts, touched);
  }
  return { n, length, revenue, lastType, country, lastItems, lastTypes, lastTime };
}

/** Most frequent country among events[lo..hi) (ties: the lower country index), -1 if none has one. */
function modalCountry(countryOf: Int32Array, events: Int32Array, lo: number, hi: number, counts: Int32Array, touched: Int32Array): number {
  let nTouched = 0;
  let best = -1;
  let bestCount = 0;
  for (let j = lo; j < hi; j++) {
    const c = countryOf[events[j]];
    if (c < 0) continue;
    if (counts[c] === 0) touched[nTouched++] = c;
    const v = ++counts[c];
    if (v > bestCount || (v === bestCount && c < best)) {
      best = c;
      bestCount = v;
    }
  }
  for (let i = 0; i < nTouched; i++) counts[touched[i]] = 0;
  return best;
}
