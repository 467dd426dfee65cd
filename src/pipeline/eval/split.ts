// Leave-last-out: each user's last basket is held out and the rest is what models may learn from.
// The basket is the user's last session (a session column, or invoices) when the log has them,
// else the last event. Only items the user had not touched before count as hits: ranking leaves
// training items out, so an item bought again could never be found and would only add noise.

import type { EventTable } from '../ingest/table';
import type { Sequences } from '../sequences';
import { typeWeights, type EventWeights } from '../encode/weights';
import { EvalError } from './errors';

export interface LeaveLastOutSplit {
  protocol: 'last-session' | 'last-event';
  /** The input sequences without their held-out events; users left with no event are dropped. */
  train: Sequences;
  /** Per training sequence: the input sequence it came from. */
  source: Int32Array;
  /** Test cases: the training sequence of each tested user, and its held-out new items (relItems[relPtr[t] .. relPtr[t+1]), ascending). */
  testSeq: Int32Array;
  relPtr: Int32Array;
  relItems: Int32Array;
  /** Input sequences that give no test case: nothing left to train on, or no new item held out. */
  skipped: { noTraining: number; noNewItems: number };
}

export interface SplitOptions {
  /** Held-out events whose type weighs 0 or less (returns, by default) do not make an item relevant. */
  eventWeights?: Partial<EventWeights>;
}

export function leaveLastOut(table: EventTable, sequences: Sequences, opts: SplitOptions = {}): LeaveLastOutSplit {
  if (sequences.by !== 'user') throw new EvalError('Leave-last-out evaluation needs sequences grouped by user.');
  const bySession = table.hasSession;
  const w = typeWeights(table.typeNames, opts.eventWeights);
  const { offsets, events } = sequences;
  const trainEvents = new Int32Array(events.length);
  const trainOffsets: number[] = [0];
  const key: number[] = [];
  const source: number[] = [];
  const testSeq: number[] = [];
  const relPtr: number[] = [0];
  const relItems: number[] = [];
  const skipped = { noTraining: 0, noNewItems: 0 };
  const inTrain = new Int32Array(table.items.length).fill(-1);
  const relevant = new Int32Array(table.items.length).fill(-1);
  let out = 0;
  for (let s = 0; s < sequences.count; s++) {
    const lo = offsets[s];
    const hi = offsets[s + 1];
    if (hi <= lo) continue;
    const lastSession = bySession ? table.session[events[hi - 1]] : -1;
    const held = (k: number): boolean => (lastSession >= 0 ? table.session[events[k]] === lastSession : k === hi - 1);
    const begin = out;
    for (let k = lo; k < hi; k++) {
      if (held(k)) continue;
      trainEvents[out++] = events[k];
      inTrain[table.item[events[k]]] = s;
    }
    if (out === begin) {
      skipped.noTraining++;
      continue;
    }
    const t = key.length;
    trainOffsets.push(out);
    key.push(sequences.key[s]);
    source.push(s);
    const first = relItems.length;
    for (let k = lo; k < hi; k++) {
      if (!held(k)) continue;
      const e = events[k];
      const item = table.item[e];
      if (w[table.type[e]] <= 0 || inTrain[item] === s || relevant[item] === s) continue;
      relevant[item] = s;
      relItems.push(item);
    }
    if (relItems.length === first) {
      skipped.noNewItems++;
      continue;
    }
    const mine = relItems.splice(first).sort((a, b) => a - b);
    relItems.push(...mine);
    relPtr.push(relItems.length);
    testSeq.push(t);
  }
  const train: Sequences = {
    ...sequences,
    count: key.length,
    key: Int32Array.from(key),
    part: null,
    offsets: Int32Array.from(trainOffsets),
    events: trainEvents.slice(0, out),
  };
  return {
    protocol: bySession ? 'last-session' : 'last-event',
    train,
    source: Int32Array.from(source),
    testSeq: Int32Array.from(testSeq),
    relPtr: Int32Array.from(relPtr),
    relItems: Int32Array.from(relItems),
    skipped,
  };
}
