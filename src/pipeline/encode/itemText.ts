// What text stands for an item: its title; else its category (and brand); else its id. Distinct
// texts are collected once, so a catalogue where thousands of items share a title (sizes, colours)
// is embedded once per title.

import type { EventTable } from '../ingest/table';
import type { Sequences } from '../sequences';

export interface ItemTexts {
  /** Distinct texts, in order of first use by the sequences (stable for a given input). */
  texts: string[];
  /** Per item: index into `texts`, or -1 for items no sequence uses. */
  textOf: Int32Array;
  /** How many texts came from titles, categories/brands, and bare ids. */
  sources: { title: number; category: number; id: number };
}

/** Category codes such as "electronics.smartphone" read as words once the separators are spaces. */
function readable(code: string): string {
  return code
    .replace(/[._/>|]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

export function itemText(table: EventTable, item: number): { text: string; source: 'title' | 'category' | 'id' } {
  const title = table.itemTitle[item]?.trim() ?? '';
  if (title !== '') return { text: title, source: 'title' };
  const c = table.itemCategory[item];
  const b = table.itemBrand[item];
  const parts: string[] = [];
  if (c >= 0) parts.push(readable(table.categories[c]));
  if (b >= 0) parts.push(table.brands[b].trim());
  const text = parts.filter((p) => p !== '').join(' ');
  if (text !== '') return { text, source: 'category' };
  return { text: table.items[item], source: 'id' };
}

/** Texts of the items the sequences use; items filtered out of every sequence are skipped. */
export function collectItemTexts(table: EventTable, sequences: Sequences): ItemTexts {
  const textOf = new Int32Array(table.items.length).fill(-1);
  const index = new Map<string, number>();
  const texts: string[] = [];
  const sources = { title: 0, category: 0, id: 0 };
  const { events } = sequences;
  for (let k = 0; k < events.length; k++) {
    const item = table.item[events[k]];
    if (textOf[item] >= 0) continue;
    const { text, source } = itemText(table, item);
    let t = index.get(text);
    if (t === undefined) {
      t = texts.length;
      texts.push(text);
      index.set(text, t);
      sources[source]++;
    }
    textOf[item] = t;
  }
  return { texts, textOf, sources };
}
