// Writes a BehaviourLog as REES46-shaped CSV (with titles), a chunk of rows at a time, like
// csvChunks does for generateLog's logs; the event types include `return`, which the ingest
// stage reads as its canonical return type.

import type { BehaviourLog } from './behaviour';
import { BEHAVIOUR_EVENT_TYPES } from './behaviourSegments';
import { eventTimeFormatter, itemCsvColumns, REES46_HEADER, sessionIdCache, type CsvOptions } from './csv';
import { userIdOf } from './ids';

export function* behaviourCsvChunks(log: BehaviourLog, opts: CsvOptions = {}): Generator<string, void, undefined> {
  const perChunk = Math.max(1, Math.floor(opts.rowsPerChunk ?? 4096));
  const { itemMid, itemTitle } = itemCsvColumns(log.catalog);
  const sessionId = sessionIdCache(log.params.seed);
  const time = eventTimeFormatter();
  let rows: string[] = [`${REES46_HEADER}\n`];
  for (let e = 0; e < log.length; e++) {
    const i = log.item[e];
    rows.push(
      `${time(log.time[e])},${BEHAVIOUR_EVENT_TYPES[log.type[e]]},${itemMid[i]},${userIdOf(log.user[e])},${sessionId(log.session[e])},${itemTitle[i]}\n`,
    );
    if (rows.length >= perChunk) {
      yield rows.join('');
      rows = [];
    }
  }
  if (rows.length > 0) yield rows.join('');
}

/** The CSV as a byte stream, pulled chunk by chunk: what analyzeStream takes. */
export function behaviourCsvStream(log: BehaviourLog, opts: CsvOptions = {}): ReadableStream<Uint8Array> {
  const chunks = behaviourCsvChunks(log, opts);
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = chunks.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
    cancel() {
      chunks.return(undefined);
    },
  });
}

export const BEHAVIOUR_LABELS_HEADER = 'user_id,segment,kind';

/** The planted labels as CSV, one row per user with events, to write beside the log. */
export function behaviourLabelsCsv(log: BehaviourLog): string {
  const rows = [BEHAVIOUR_LABELS_HEADER];
  for (let u = 0; u < log.params.users; u++) {
    if (log.userEvents[u] === 0) continue;
    const s = log.userSegment[u];
    rows.push(`${userIdOf(u)},${s},${log.segments[s].kind}`);
  }
  return `${rows.join('\n')}\n`;
}
