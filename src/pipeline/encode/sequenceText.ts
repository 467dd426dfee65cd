// The method as published: a sequence written out as text, "view: red shirt; cart: jeans;
// purchase: jeans", and embedded whole. A model sees at most its position window of tokens, so the
// most recent events that fit are kept (the end of a journey says most about intent), in time order.

import type { EventTable } from '../ingest/table';
import type { Sequences } from '../sequences';
import type { TextEmbedder } from './types';

export interface SequenceTexts {
  /** Distinct sequence texts (identical journeys are embedded once). */
  texts: string[];
  /** Per sequence: index into `texts`. */
  textOf: Int32Array;
  /** Sequences that lost their oldest events to the window, and events dropped in all. */
  truncated: number;
  eventsDropped: number;
}

const SEPARATOR = '; ';

type Counter = Pick<TextEmbedder, 'countTokens' | 'maxTokens' | 'specialTokens'>;

export function sequenceTexts(table: EventTable, sequences: Sequences, itemTextOf: Int32Array, itemTexts: readonly string[], counter: Counter): SequenceTexts {
  const budget = Math.max(1, counter.maxTokens - counter.specialTokens);
  const sepTokens = counter.countTokens(';');
  // (type, item text) pairs repeat across sequences; tokenising each once keeps this linear.
  const partTokens = new Map<string, number>();
  const tokensOf = (part: string): number => {
    let n = partTokens.get(part);
    if (n === undefined) {
      n = counter.countTokens(part);
      partTokens.set(part, n);
    }
    return n;
  };

  const index = new Map<string, number>();
  const texts: string[] = [];
  const textOf = new Int32Array(sequences.count);
  let truncated = 0;
  let eventsDropped = 0;
  const { offsets, events } = sequences;
  for (let s = 0; s < sequences.count; s++) {
    const lo = offsets[s];
    const hi = offsets[s + 1];
    const parts: string[] = [];
    let used = 0;
    for (let k = hi - 1; k >= lo; k--) {
      const e = events[k];
      const part = `${table.typeNames[table.type[e]]}: ${itemTexts[itemTextOf[table.item[e]]]}`;
      const cost = tokensOf(part) + (parts.length > 0 ? sepTokens : 0);
      // The most recent event is always kept: the model truncates it if it alone is too long.
      if (parts.length > 0 && used + cost > budget) break;
      parts.push(part);
      used += cost;
    }
    parts.reverse();
    let text = parts.join(SEPARATOR);
    // Token counts of parts are not always additive (a tokenizer may merge across the separator):
    // near the budget, check the whole and drop the oldest until it fits. Far below it, the small
    // error cannot matter and tokenising every long journey twice would.
    while (parts.length > 1 && used > budget * 0.8 && counter.countTokens(text) > budget) {
      parts.shift();
      text = parts.join(SEPARATOR);
    }
    const dropped = hi - lo - parts.length;
    if (dropped > 0) {
      truncated++;
      eventsDropped += dropped;
    }
    let t = index.get(text);
    if (t === undefined) {
      t = texts.length;
      texts.push(text);
      index.set(text, t);
    }
    textOf[s] = t;
  }
  return { texts, textOf, truncated, eventsDropped };
}
