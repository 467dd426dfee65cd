// Joins the planted segments onto what a pipeline read back. The pipeline knows users and sessions
// only by the id strings in the file, in its own (first-seen) order, so clustering scores such as
// ARI need the labels re-indexed to that order.

import type { SynthLog } from './generate';
import { sessionIdOf, userIndexOf } from './ids';

/** What the joins need of a log: generateLog's and generateBehaviourLog's both have it. */
export interface LabelledLog {
  params: { users: number; seed: number };
  userSegment: Int32Array;
  sessionUser: Int32Array;
}

/** Persona index for each user name (e.g. EventTable.users), -1 for names not in the log. */
export function plantedUserLabels(log: LabelledLog, userNames: readonly string[]): Int32Array {
  const out = new Int32Array(userNames.length);
  for (let k = 0; k < userNames.length; k++) {
    const u = userIndexOf(userNames[k], log.params.users);
    out[k] = u < 0 ? -1 : log.userSegment[u];
  }
  return out;
}

/** Persona index for each session name (e.g. EventTable.sessions), -1 for unknown ones. */
export function plantedSessionLabels(log: LabelledLog, sessionNames: readonly string[]): Int32Array {
  const index = new Map<string, number>();
  for (let s = 0; s < log.sessionUser.length; s++) index.set(sessionIdOf(log.params.seed, s), s);
  const out = new Int32Array(sessionNames.length);
  for (let k = 0; k < sessionNames.length; k++) {
    const s = index.get(sessionNames[k]);
    out[k] = s === undefined ? -1 : log.userSegment[log.sessionUser[s]];
  }
  return out;
}

/** Number of users in the log (with at least one event) per persona. */
export function segmentSizes(log: SynthLog): Int32Array {
  const sizes = new Int32Array(log.personas.length);
  for (let u = 0; u < log.userSegment.length; u++) if (log.userEvents[u] > 0) sizes[log.userSegment[u]]++;
  return sizes;
}
