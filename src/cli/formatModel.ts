// The CLI's lines for --apply (the applied model and its drift) and --save-model.
import type { DriftReport } from '../pipeline/drift';
import type { AppliedModel } from '../pipeline/model/apply';

const n = (x: number): string => x.toLocaleString('en');
const mb = (bytes: number): string => (bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(1)} MB` : `${(bytes / 1024).toFixed(1)} kB`);

/** What the JSON's `applied` holds. */
export interface CliApplied {
  k: number;
  labels: string[];
  sizes: number[];
  model: { file: string; created: string; sourceFile: string; size: number; version: number };
  unseenItems: number;
  unseenByPopularity: number;
  unchanged: number;
  placement: number | null;
  update: AppliedModel['update'];
  seconds: number;
}

/** The JSON's `drift`: the fields first, then the rest of the report. */
export function cliDrift(d: DriftReport): Record<string, unknown> {
  const { users, sizesBefore, sizesAfter, transitions, newItems, seconds, ...rest } = d;
  return { users, sizesBefore, sizesAfter, transitions, newItems, seconds, ...rest };
}

export function formatApplied(a: CliApplied): string {
  const lines = [
    `saved model ${a.model.file} (${mb(a.model.size)}, made ${a.model.created} from ${a.model.sourceFile}): K = ${a.k}, applied in ${a.seconds.toFixed(2)} s`,
  ];
  a.labels.forEach((l, c) => lines.push(`  ${String(c).padStart(3)}  ${n(a.sizes[c] ?? 0).padStart(8)}  ${l}`));
  if (a.unchanged > 0) lines.push(`  ${n(a.unchanged)} customers with the same history as in the model's log kept their segment`);
  if (a.placement !== null && a.placement < 0.95)
    lines.push(
      `  note: the model's segments were made on the graph network's vectors, which a new log cannot reproduce; ` +
        `customers are placed by the encoder's, which put ${(a.placement * 100).toFixed(1)}% of the model's own customers in their segment`,
    );
  if (a.unseenItems > 0) {
    const byText = a.unseenItems - a.unseenByPopularity;
    lines.push(
      `  ${n(a.unseenItems)} items new to the model: ${n(byText)} placed by their text vectors` +
        (a.unseenByPopularity > 0 ? `, ${n(a.unseenByPopularity)} with no text by popularity (the average item of the model's log)` : ''),
    );
  }
  if (a.update) {
    lines.push(`  update: centres moved ${a.update.shift.map((s) => s.toFixed(3)).join(', ')}`);
    const p = a.update.proposal;
    lines.push(
      p
        ? `  update: a new segment is proposed: ${n(p.size)} customers (${(p.share * 100).toFixed(1)}%) sit far from every saved segment (not added)`
        : '  update: no new segment proposed',
    );
  }
  return `${lines.join('\n')}\n`;
}

export function formatDrift(d: DriftReport): string {
  const lines = [
    `drift: ${n(d.users.kept)} returning, ${n(d.users.new)} new, ${n(d.users.lost)} lapsed customers; ${n(d.moved)} of the returning changed segment; ` +
      `${n(d.newItems)} items appeared, ${n(d.vanishedItems)} vanished`,
    '  segment                                      before     after',
  ];
  d.labels.forEach((l, c) =>
    lines.push(
      `  ${(c === d.k ? '-1' : String(c)).padStart(3)}  ${l.slice(0, 38).padEnd(38)}  ${n(d.sizesBefore[c]).padStart(8)}  ${n(d.sizesAfter[c]).padStart(8)}`,
    ),
  );
  return `${lines.join('\n')}\n`;
}
