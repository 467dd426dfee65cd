// One user's events, resolved to strings, for the detail panel. Only `limit` events become objects:
// a bot's sequence can hold tens of thousands.

import type { EventTable } from '../ingest/table';
import { sequenceLabel, type Sequences } from '../sequences';
import { ProfileInputError } from './profile';
import type { Timeline, TimelineEvent } from './types';

export function sequenceTimeline(table: EventTable, sequences: Sequences, index: number, limit = 500): Timeline {
  if (!Number.isInteger(index) || index < 0 || index >= sequences.count) {
    throw new ProfileInputError(`Sequence ${index} does not exist: there are ${sequences.count} sequences (0..${sequences.count - 1}).`);
  }
  if (!Number.isInteger(limit) || limit < 0) throw new ProfileInputError(`The timeline limit must be a whole number of at least 0 (got ${limit}).`);
  const lo = sequences.offsets[index];
  const hi = sequences.offsets[index + 1];
  const out: TimelineEvent[] = [];
  for (let j = lo; j < hi && out.length < limit; j++) {
    const e = sequences.events[j];
    const it = table.item[e];
    const cat = table.itemCategory[it];
    const brand = table.itemBrand[it];
    const price = table.price[e];
    const qty = table.quantity[e];
    out.push({
      time: table.hasTime && !Number.isNaN(table.time[e]) ? table.time[e] : null,
      type: table.typeNames[table.type[e]] ?? '',
      item: table.items[it],
      title: table.itemTitle[it] ?? '',
      category: cat >= 0 ? table.categories[cat] : '',
      brand: brand >= 0 ? table.brands[brand] : '',
      price: Number.isNaN(price) ? null : price,
      quantity: Number.isNaN(qty) ? null : qty,
      line: table.line[e],
    });
  }
  return { index, id: sequenceLabel(table, sequences, index), total: hi - lo, events: out };
}
