// What goes into the graph and how much each link weighs. Plain data, so the UI can show and edit
// it and the report can echo it; every field has a default.

import { DEFAULT_EVENT_WEIGHTS, type EventWeights } from '../encode/weights';

export interface GraphOptions {
  /**
   * Link each sequence (user) to the items of its events. With this and `transitions` both off
   * only self-loops remain and training is plain matrix factorisation (a useful ablation).
   */
  userItem: boolean;
  /** Link items that follow each other within a sequence. */
  transitions: boolean;
  /** Add I to A before normalising, so that a node keeps part of its own vector at every layer. */
  selfLoops: boolean;
  /**
   * Weight of one event by type name (view, click, cart, purchase, return, custom names, other),
   * over the encoder's defaults. A user-item link weighs the sum over its events; a sum of 0 or
   * less (bought, then returned) leaves the pair unlinked.
   */
  eventWeights: Partial<EventWeights>;
  /** Recency: an event's weight halves every this many days before its sequence's last event; 0 = off. */
  halfLifeDays: number;
  /** Weight added per observed transition (item a directly followed by item b, either order). */
  transitionWeight: number;
  /**
   * Consecutive events further apart than this many minutes are not a transition (a new visit
   * days later says little about the last item looked at); 0 = no limit. Logs without a time
   * column count every consecutive pair.
   */
  transitionMaxGapMinutes: number;
  selfLoopWeight: number;
  /**
   * How summed weights become edge weights: 'log1p' (log(1 + w)) keeps an item viewed fifty times
   * from drowning out the rest of a user's links; 'none' uses the sums as they are.
   */
  compress: 'log1p' | 'none';
}

export const DEFAULT_GRAPH_OPTIONS: Readonly<GraphOptions> = Object.freeze({
  userItem: true,
  transitions: true,
  selfLoops: true,
  eventWeights: { ...DEFAULT_EVENT_WEIGHTS },
  halfLifeDays: 30,
  transitionWeight: 1,
  transitionMaxGapMinutes: 30,
  selfLoopWeight: 1,
  compress: 'log1p',
});

export class GraphOptionsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GraphOptionsError';
  }
}

/** Defaults under the given fields; throws GraphOptionsError with a user-facing message on bad values. */
export function resolveGraphOptions(opts: Partial<GraphOptions> = {}): GraphOptions {
  const o: GraphOptions = {
    ...DEFAULT_GRAPH_OPTIONS,
    ...stripUndefined(opts),
    eventWeights: { ...DEFAULT_EVENT_WEIGHTS, ...stripUndefined(opts.eventWeights ?? {}) },
  };
  const nonNeg = (name: string, v: number): void => {
    if (!(Number.isFinite(v) && v >= 0)) throw new GraphOptionsError(`${name} must be a number of at least 0 (got ${v}).`);
  };
  nonNeg('The recency half-life', o.halfLifeDays);
  nonNeg('The transition weight', o.transitionWeight);
  nonNeg('The transition gap', o.transitionMaxGapMinutes);
  nonNeg('The self-loop weight', o.selfLoopWeight);
  for (const [k, v] of Object.entries(o.eventWeights)) {
    if (!Number.isFinite(v)) throw new GraphOptionsError(`The weight of "${k}" events must be a finite number (got ${v}).`);
  }
  if (o.compress !== 'log1p' && o.compress !== 'none')
    throw new GraphOptionsError(`Weight compression must be "log1p" or "none", not "${String(o.compress)}".`);
  return o;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
