// What one event adds to revenue. Shared by the cluster profiles and the per-user attributes so the
// two always agree (a cluster's revenue is the sum of its users' revenue); both leave the same
// service lines out (ProfileOptions.exclude, userAttributes' exclude).

import { PURCHASE, RETURN } from '../ingest/eventTypes';
import type { EventTable } from '../ingest/table';

/**
 * price x quantity of a purchase, minus the same for a return; 0 for every other event and for
 * events without a price. A missing quantity counts as one (REES46-style logs have one row per
 * unit). Returns always subtract, whatever the sign of their quantity: UCI writes cancellations as
 * negative quantities (already negative here), while a log with a "return" event type writes them
 * positive, and neither must be subtracted twice or added.
 */
export function eventAmount(table: EventTable, e: number): number {
  const t = table.type[e];
  if (t !== PURCHASE && t !== RETURN) return 0;
  const p = table.price[e];
  if (Number.isNaN(p)) return 0;
  const q = table.quantity[e];
  const v = p * (Number.isNaN(q) ? 1 : q);
  return t === PURCHASE ? v : -Math.abs(v);
}
