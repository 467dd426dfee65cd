// A generated log (src/pipeline/synth) as purchase baskets for the per-user recommender's tests:
// every event of a session is one basket item, baskets named by session, items `i0000`...
import { basketsFromColumns, idOrder, type Baskets } from '../../src/pipeline/eval';
import { generateLog, type SynthParams } from '../../src/pipeline/synth';

export function generatedBaskets(params: Partial<SynthParams> & { users: number; items: number }): { baskets: Baskets; order: ReturnType<typeof idOrder> } {
  const log = generateLog(params);
  const n = log.length;
  let sessions = 0;
  for (let e = 0; e < n; e++) sessions = Math.max(sessions, log.session[e] + 1);
  const baskets = basketsFromColumns(
    Int32Array.from(log.user.subarray(0, n)),
    Int32Array.from(log.item.subarray(0, n)),
    Int32Array.from(log.session.subarray(0, n)),
    Float64Array.from(log.time.subarray(0, n)),
    Array.from({ length: sessions }, (_, i) => String(i).padStart(6, '0')),
    params.users,
    params.items,
  );
  const order = idOrder(Array.from({ length: params.items }, (_, i) => `i${String(i).padStart(4, '0')}`));
  return { baskets, order };
}
