// The generator's contract with the pipeline: its CSV reads back without rejects, and the planted
// labels can be joined onto the users and sessions the pipeline found.
import { describe, expect, it } from 'vitest';
import { analyzeStream } from '../analyze';
import { csvStream } from './csv';
import { generateLog } from './generate';
import { plantedSessionLabels, plantedUserLabels, segmentSizes } from './labels';

describe('synthetic log through the ingest pipeline', () => {
  const log = generateLog({ seed: 11, users: 800, items: 500, events: 12_000, segments: 5, categories: 20 });

  it('reads every row, detects the REES46 roles and finds every user, session and item', async () => {
    const { report, ingested } = await analyzeStream(csvStream(log), { fileName: 'synth.csv', totalBytes: null });
    expect(report.input.rows).toBe(log.length);
    expect(report.input.rejected.count).toBe(0);
    const cols = ingested.detection.columns;
    const m = ingested.detection.mapping;
    expect(cols[m.user!]).toBe('user_id');
    expect(cols[m.session!]).toBe('user_session');
    expect(cols[m.time!]).toBe('event_time');
    expect(cols[m.title!]).toBe('title');
    expect(cols[m.category!]).toBe('category_code');
    expect(report.users).toBe(800);
    expect(ingested.table.sessions.length).toBe(log.sessionUser.length);
    expect(report.items).toBe(new Set(log.item).size);
    expect(report.events.byType.view).toBeGreaterThan(report.events.byType.cart);

    const userLabels = plantedUserLabels(log, ingested.table.users);
    expect(userLabels.every((l) => l >= 0 && l < 5)).toBe(true);
    const counts = new Int32Array(5);
    userLabels.forEach((l) => counts[l]++);
    expect(counts).toEqual(segmentSizes(log));

    const sessionLabels = plantedSessionLabels(log, ingested.table.sessions);
    expect(sessionLabels.every((l) => l >= 0)).toBe(true);
    // A session's label is its user's.
    const t = ingested.table;
    for (let e = 0; e < t.length; e += 97) expect(sessionLabels[t.session[e]]).toBe(userLabels[t.user[e]]);
  });

  it('labels unknown ids -1', () => {
    expect(Array.from(plantedUserLabels(log, ['nobody', '17', '500000000']))).toEqual([-1, -1, log.userSegment[0]]);
    expect(Array.from(plantedSessionLabels(log, ['not-a-session']))).toEqual([-1]);
  });
});
