import type { RejectSummary } from '../types';

const EXAMPLES_PER_REASON = 5;

export interface RejectEntry {
  reason: string;
  count: number;
  examples: number[];
}

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

  /** The log as plain data (for a helper thread to send back): reasons in the order first met. */
  entries(): RejectEntry[] {
    return [...this.counts].map(([reason, count]) => ({ reason, count, examples: this.examples.get(reason)!.slice() }));
  }

  /**
   * Adds the rejects of a later part of the same file, whose lines were numbered from 1 after
   * `lineOffset` lines: as if this log had gone on reading (the first examples stay the first).
   */
  appendShifted(entries: readonly RejectEntry[], lineOffset: number): void {
    for (const e of entries) {
      for (const line of e.examples) this.add(e.reason, line + lineOffset);
      const extra = e.count - e.examples.length;
      if (extra > 0) this.addCountOnly(e.reason, extra);
    }
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
