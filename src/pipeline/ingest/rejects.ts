import type { RejectSummary } from '../types';

const EXAMPLES_PER_REASON = 5;

/** Counts skipped rows by reason and keeps the first few line numbers of each, so the user can find them. */
export class RejectLog {
  private readonly counts = new Map<string, number>();
  private readonly examples = new Map<string, number[]>();
  total = 0;

  add(reason: string, line: number, times = 1): void {
    this.total += times;
    const count = this.counts.get(reason);
    if (count === undefined) {
      this.counts.set(reason, times);
      this.examples.set(reason, [line]);
      return;
    }
    this.counts.set(reason, count + times);
    const ex = this.examples.get(reason)!;
    if (ex.length < EXAMPLES_PER_REASON) ex.push(line);
  }

  /** Merges another log in (e.g. rows rejected by grouping on top of rows rejected while reading). */
  merge(other: RejectLog): RejectLog {
    const out = new RejectLog();
    for (const log of [this, other]) {
      for (const [reason, count] of log.counts) {
        for (const line of log.examples.get(reason)!) out.add(reason, line);
        const extra = count - log.examples.get(reason)!.length;
        if (extra > 0) out.addCountOnly(reason, extra);
      }
    }
    for (const ex of out.examples.values()) ex.sort((a, b) => a - b);
    return out;
  }

  private addCountOnly(reason: string, times: number): void {
    this.total += times;
    this.counts.set(reason, (this.counts.get(reason) ?? 0) + times);
  }

  summary(): RejectSummary {
    const reasons: Record<string, number> = {};
    const examples: Record<string, number[]> = {};
    const sorted = [...this.counts].sort((a, b) => b[1] - a[1]);
    for (const [reason, count] of sorted) {
      reasons[reason] = count;
      examples[reason] = this.examples.get(reason)!.slice();
    }
    return { count: this.total, reasons, examples };
  }
}
