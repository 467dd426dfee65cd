// One stage's job slot: the latest request wins. Starting a job cancels the one in flight and waits
// for it to wind down (stages stop at their next checkpoint), so two jobs of a stage never run at
// once; whatever the outcome, the caller's progress callback is released. No comlink here: the
// worker passes its proxy's release as a callback.

export interface JobOptions {
  /** The error a job cancelled before it started throws (each stage has its own). */
  cancelled: () => unknown;
  /** Called once the job has ended, however it ended (e.g. a comlink proxy's release). */
  release?: () => void;
  /** Start at once instead of waiting for the cancelled job to end (reading: the new file does not share its state). */
  overlap?: boolean;
}

export class JobSlot {
  private current: { controller: AbortController; finished: Promise<void> } | null = null;

  /** Cancels the job in flight, if any; it ends with its stage's cancelled error. */
  cancel(): void {
    this.current?.controller.abort();
  }

  /** Whether a job is in flight. */
  get busy(): boolean {
    return this.current !== null;
  }

  /** Runs `work` once the previous job has ended; `signal` aborts when a later job starts or cancel() is called. */
  async run<T>(work: (signal: AbortSignal) => Promise<T>, o: JobOptions): Promise<T> {
    this.cancel();
    const previous = this.current;
    const controller = new AbortController();
    let finish!: () => void;
    const job = { controller, finished: new Promise<void>((r) => (finish = r)) };
    this.current = job;
    try {
      if (!o.overlap) await previous?.finished;
      if (controller.signal.aborted) throw o.cancelled();
      return await work(controller.signal);
    } finally {
      finish();
      if (this.current === job) this.current = null;
      o.release?.();
    }
  }
}

/**
 * A progress callback that never waits and never throws: each call to `onProgress` (a round trip
 * to the page, for a comlink proxy) is fired and forgotten, so reporting never slows the work.
 */
export function fireAndForget<P>(onProgress: (p: P) => unknown): (p: P) => void {
  return (p) => void Promise.resolve(onProgress(p)).catch(() => {});
}
