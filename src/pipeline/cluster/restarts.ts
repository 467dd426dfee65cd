// How k-means runs its restarts: the most promising seeding first, and a later restart dropped as
// soon as it clearly cannot beat the best one found (the rule below). On well-separated data a
// seeding that puts two centres in one group and none in another ends in a local optimum that
// Lloyd creeps towards for dozens of iterations (58 of a 3-restart run's 63 in one measured case)
// and that is 10-25% worse than the good one: all of that work is thrown away afterwards.
import type { Seeding } from './seeding';

/**
 * A later restart is only abandoned while its inertia is more than this fraction above the best
 * finished restart's. Below it the restarts are close competitors, whose Lloyd runs can still
 * cross (a plateau followed by a cascade of moves can lower the inertia by a few per cent).
 */
export const ABANDON_MARGIN = 0.1;

/** Iterations after which a restart is checked: 2, 4, 8, 16 ... (each check costs one O(n d) inertia pass). */
export function isCheckpoint(iteration: number): boolean {
  return iteration >= 2 && (iteration & (iteration - 1)) === 0;
}

/**
 * The abandonment rule of one restart, run against `best`, the lowest final inertia of the
 * restarts already finished. After checkpoint iteration t, with J_t the exact inertia of the
 * current labels around their means (Lloyd never raises it, so the run ends at or below J_t), the
 * restart is abandoned when both hold:
 *
 * 1. J_t > (1 + ABANDON_MARGIN) x best: it is far behind, not a close competitor; and
 * 2. J_t - (maxIter - t) x rate > best, where rate = (J_s - J_t) / (t - s) is its mean fall per
 *    iteration since the previous checkpoint s: even falling at that rate for every iteration it
 *    has left, it would still end above the best.
 *
 * Abandoning is thus a bet only that Lloyd's per-iteration fall does not grow again by an order
 * of magnitude late in a run, on a run already 10% behind; with the default 300 iterations rule 2
 * alone asks for a fall below 1/300 of the gap per iteration. An abandoned restart reports J_t as
 * its inertia and t as its iterations. The rule sees only the run's own inertia sequence and the
 * best finished inertia, so every assignment path (bounded, plain, GPU) abandons at the same
 * iteration.
 */
export class AbandonRule {
  private lastIteration = 0;
  private lastInertia = Infinity;

  constructor(
    private readonly best: number,
    private readonly maxIter: number,
  ) {}

  /** Called at each checkpoint with the run's exact inertia; true: abandon the run. */
  abandon(iteration: number, inertia: number): boolean {
    const prevIteration = this.lastIteration;
    const prevInertia = this.lastInertia;
    this.lastIteration = iteration;
    this.lastInertia = inertia;
    if (!(inertia > (1 + ABANDON_MARGIN) * this.best) || prevIteration === 0) return false;
    const rate = Math.max(0, (prevInertia - inertia) / (iteration - prevIteration));
    return inertia - rate * (this.maxIter - iteration) > this.best;
  }
}

/**
 * The order to run restarts in: by the inertia of their seeding (every point to its nearest seed
 * centre), lowest first, ties by index. A low seeding inertia is the best cheap predictor of a
 * good final one, so the winner usually runs first and the rule above has a best to compare with.
 */
export function restartOrder(seedings: readonly Seeding[]): number[] {
  const cost = seedings.map((s) => {
    let total = 0;
    for (let i = 0; i < s.nearestSq.length; i++) total += s.nearestSq[i];
    return total;
  });
  return seedings.map((_, r) => r).sort((a, b) => cost[a] - cost[b] || a - b);
}
