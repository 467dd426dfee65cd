// The page side of one worker stage's job (encode, train the graph network, sweep K, lay out the
// map): which job is the latest, whether an input with its settings still needs a run, how long to
// wait before it, and how a job's end reaches the screen. The worker cancels a stage's job itself
// when newer inputs come; this side only makes sure an older job's answers never reach the screen.
// Plain TypeScript so that it can be tested without React: useStageJob wires it to effects.
import { AnalysisError } from '../../worker/client';

/** What a job runs for: its input (compared by identity) and its settings as a string. */
interface Request<I> {
  input: I;
  key: string;
}

/** The stage's side of a job: the worker call and what each outcome does to the screen. */
export interface StageCallbacks<I, R, P> {
  /**
   * Starts the job in the worker. `progress` only passes on what the latest running job reports;
   * `current` says whether this job is still the latest (for a stage that makes two calls).
   */
  run(input: I, key: string, progress: (p: P) => void, current: () => boolean): Promise<R>;
  /** The job started: the screen shows it running. */
  started(input: I, key: string): void;
  /** Progress of the latest job while it runs. */
  progress(p: P): void;
  /** The latest job finished; it has settled, so the same input and settings do not run again. */
  done(result: R, input: I): void;
  /**
   * The worker stopped the job for newer inputs (not the user): nothing settles, the new inputs
   * start the next job.
   */
  interrupted(): void;
  /** The latest job ended without a result and has settled; `error` is null when the user cancelled it. */
  failed(error: AnalysisError | null, input: I): void;
}

/** Any thrown value as an AnalysisError (the client already turns the worker's errors into them). */
export function asAnalysisError(e: unknown): AnalysisError {
  return e instanceof AnalysisError ? e : new AnalysisError({ message: String(e), code: 'internal' });
}

export class StageSlot<I> {
  private generation = 0;
  private inFlight: Request<I> | null = null;
  private settled: Request<I> | null = null;
  /** The input of the last job started: the same input again means only a setting changed. */
  private last: { input: I } | null = null;
  private userCancelled = false;

  /** `debounceMs`: the wait after a settings change; null for a stage without a timer. */
  constructor(readonly debounceMs: number | null) {}

  /**
   * How long to wait before running `input` with `key`: null when nothing needs to run (that job
   * runs or has settled), 0 for a new input, the debounce for new settings on the same input.
   */
  delay(input: I, key: string): number | null {
    if (same(this.inFlight, input, key) || same(this.settled, input, key)) return null;
    return this.last !== null && this.last.input === input ? (this.debounceMs ?? 0) : 0;
  }

  /**
   * Runs `input` with `key` if it needs to: at once for a stage without a timer, else after
   * `delay`. Returns what cancels the timer (an effect's cleanup), if one was set. `callbacks` is
   * read when the job starts, so a timer starts the job with the stage's latest callbacks.
   */
  schedule<R, P>(input: I, key: string, callbacks: () => StageCallbacks<I, R, P>): (() => void) | undefined {
    const delay = this.delay(input, key);
    if (delay === null) return undefined;
    if (this.debounceMs === null) {
      void this.start(input, key, callbacks());
      return undefined;
    }
    const timer = setTimeout(() => void this.start(input, key, callbacks()), delay);
    return () => clearTimeout(timer);
  }

  /** Starts a job now; it supersedes any job before it. Resolves once the job's end is told. */
  async start<R, P>(input: I, key: string, cb: StageCallbacks<I, R, P>): Promise<void> {
    const id = ++this.generation;
    const current = () => this.generation === id;
    this.inFlight = { input, key };
    this.userCancelled = false;
    this.last = { input };
    cb.started(input, key);
    // Progress the worker sends after the answer (or after the job was superseded) is dropped.
    let over = false;
    const progress = (p: P) => {
      if (current() && !over) cb.progress(p);
    };
    try {
      const result = await cb.run(input, key, progress, current);
      if (!current()) return;
      over = true;
      this.settled = { input, key };
      cb.done(result, input);
    } catch (e) {
      if (!current()) return;
      const error = asAnalysisError(e);
      if (error.code === 'cancelled' && !this.userCancelled) {
        cb.interrupted();
        return;
      }
      this.settled = { input, key };
      cb.failed(error.code === 'cancelled' ? null : error, input);
    } finally {
      over = true;
      if (current()) this.inFlight = null;
    }
  }

  /**
   * Forgets the job in flight (the worker stops it for the new inputs on their way): its answers
   * no longer reach the screen. True when one was in flight.
   */
  drop(): boolean {
    this.generation++;
    const had = this.inFlight !== null;
    this.inFlight = null;
    return had;
  }

  /** The user asked to cancel: the cancelled error that comes back settles the job. */
  markUserCancel(): void {
    this.userCancelled = true;
  }

  /** Forgets the settled job, so that the same input and settings run again (retry). */
  forget(): void {
    this.settled = null;
  }

  /** A token of the latest job, for work done beside it (`isLatest` turns false once superseded or dropped). */
  token(): number {
    return this.generation;
  }

  isLatest(token: number): boolean {
    return this.generation === token;
  }
}

function same<I>(r: Request<I> | null, input: I, key: string): boolean {
  return r !== null && r.input === input && r.key === key;
}
