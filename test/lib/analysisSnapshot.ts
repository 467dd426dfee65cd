// Everything an analysis result means, minus timings (and how many threads read the file): two
// readings that must agree compare equal snapshots. Typed columns become plain arrays.
import type { Analysis } from '../../src/pipeline/analyze';
import { LogError } from '../../src/pipeline/types';

export type Outcome = { ok: true; analysis: Analysis } | { ok: false; error: unknown };

export function snapshot(o: Outcome): unknown {
  if (!o.ok) return { error: o.error instanceof LogError ? [o.error.code, o.error.line, o.error.message] : String(o.error) };
  const { report, ingested } = o.analysis;
  const t = ingested.table;
  return {
    report: { ...report, timings: null },
    rows: ingested.rows,
    rejects: ingested.rejects.summary(),
    table: {
      ...t,
      user: [...t.user],
      session: [...t.session],
      time: [...t.time],
      type: [...t.type],
      item: [...t.item],
      price: [...t.price],
      quantity: [...t.quantity],
      country: [...t.country],
      line: [...t.line],
      itemCategory: [...t.itemCategory],
      itemBrand: [...t.itemBrand],
    },
  };
}
