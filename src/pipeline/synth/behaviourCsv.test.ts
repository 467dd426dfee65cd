// The behaviour log's contract with the pipeline: its CSV reads back through the app's reader
// without rejects, the return events keep their type, and the planted labels join onto the users.
import { describe, expect, it } from 'vitest';
import { analyzeStream } from '../analyze';
import { generateBehaviourLog } from './behaviour';
import { BEHAVIOUR_LABELS_HEADER, behaviourCsvChunks, behaviourCsvStream, behaviourLabelsCsv } from './behaviourCsv';
import { BEHAVIOUR_EVENT_TYPES } from './behaviourSegments';
import { userIdOf } from './ids';
import { plantedSessionLabels, plantedUserLabels } from './labels';

describe('behaviour log through the ingest pipeline', () => {
  const log = generateBehaviourLog({ seed: 4, users: 600, items: 400, categories: 16 });

  it('reads every row with its event type, and the planted labels line up with the users', async () => {
    const { report, ingested, sequences } = await analyzeStream(behaviourCsvStream(log, { rowsPerChunk: 700 }), {
      fileName: 'behaviour.csv',
      totalBytes: null,
    });
    expect(report.input.rows).toBe(log.length);
    expect(report.input.rejected.count).toBe(0);
    const t = ingested.table;
    expect(report.users).toBe(600);
    expect(t.sessions.length).toBe(log.sessionUser.length);
    // Type names as the reader normalised them, counted against the log's own codes.
    const want: Record<string, number> = {};
    for (let e = 0; e < log.length; e++) want[BEHAVIOUR_EVENT_TYPES[log.type[e]]] = (want[BEHAVIOUR_EVENT_TYPES[log.type[e]]] ?? 0) + 1;
    const got: Record<string, number> = {};
    for (let e = 0; e < t.length; e++) got[t.typeNames[t.type[e]]] = (got[t.typeNames[t.type[e]]] ?? 0) + 1;
    expect(got).toEqual(want);
    expect(want.return).toBeGreaterThan(0);

    const labels = plantedUserLabels(log, t.users);
    for (let k = 0; k < t.users.length; k++) expect(labels[k]).toBe(log.userSegment[Number(t.users[k]) - 500_000_000]);
    // Per user, the events the reader grouped are the events the generator made for that user.
    expect(sequences.count).toBe(600);
    for (let s = 0; s < sequences.count; s++) {
      const u = Number(t.users[sequences.key[s]]) - 500_000_000;
      expect(sequences.offsets[s + 1] - sequences.offsets[s]).toBe(log.userEvents[u]);
    }
    const sessionLabels = plantedSessionLabels(log, t.sessions);
    for (let e = 0; e < t.length; e += 53) expect(sessionLabels[t.session[e]]).toBe(labels[t.user[e]]);
  });

  it('writes the same bytes in any chunking, and the labels file beside it', () => {
    const text = [...behaviourCsvChunks(log)].join('');
    expect([...behaviourCsvChunks(log, { rowsPerChunk: 333 })].join('')).toBe(text);
    expect(text.split('\n').length).toBe(log.length + 2);
    const rows = behaviourLabelsCsv(log).trim().split('\n');
    expect(rows[0]).toBe(BEHAVIOUR_LABELS_HEADER);
    expect(rows.length).toBe(601);
    expect(rows[1 + 17]).toBe(`${userIdOf(17)},${log.userSegment[17]},${log.segments[log.userSegment[17]].kind}`);
  });
});
