// Generated logs with planted segments, named by a short spec, for the benches that score
// segmentations against them: "b500:6:3" is a behaviour log (segments differ in how people shop,
// generateBehaviourLog) of 500 customers, 6 segments, seed 3; "t500:6:3" a taste log (segments
// differ in what they buy, generateLog's personas, 40 events a customer over 60 days). 300 items.

import {
  type BehaviourLog,
  behaviourCsvChunks,
  behaviourCsvStream,
  csvChunks,
  csvStream,
  generateBehaviourLog,
  generateLog,
  type SynthLog,
} from '../../src/pipeline/synth';

export interface PlantedLog {
  kind: 'behaviour' | 'taste';
  users: number;
  segments: number;
  seed: number;
  log: SynthLog | BehaviourLog;
  /** The log as CSV text, in chunks. */
  chunks(): Iterable<string>;
  /** The log as a byte stream (what a dropped file gives the reader). */
  stream(): ReadableStream<Uint8Array>;
}

export function plantedLog(spec: string): PlantedLog {
  const kind = spec.startsWith('t') ? 'taste' : 'behaviour';
  const [users, segments, seed] = spec.replace(/^[bt]/, '').split(':').map(Number);
  if (![users, segments, seed].every(Number.isInteger)) throw new Error(`"${spec}" is not [b|t]users:segments:seed`);
  if (kind === 'taste') {
    const log = generateLog({ users, segments, seed, items: 300, events: users * 40, days: 60 });
    return { kind, users, segments, seed, log, chunks: () => csvChunks(log), stream: () => csvStream(log) };
  }
  const log = generateBehaviourLog({ users, segments, seed, items: 300 });
  return { kind, users, segments, seed, log, chunks: () => behaviourCsvChunks(log), stream: () => behaviourCsvStream(log) };
}
