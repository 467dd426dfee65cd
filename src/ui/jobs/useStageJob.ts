// One worker stage's job on the page, shared by the encoder, the graph network, the K sweep and the
// map's layout: the latest request wins, a job whose inputs are being replaced is dropped, a
// finished or failed job is kept (settled) until its input or settings change, and a settings
// change on the same input waits for the stage's debounce. The logic is StageSlot's; this hook
// only ties it to React's effects and keeps the stage's latest callbacks.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { StageSlot, type StageCallbacks } from './stageSlot';

export interface StageJobOptions<I, R, P> extends StageCallbacks<I, R, P> {
  /** What the job runs on (by identity); null when there is nothing to run (no input, stage off, bad settings). */
  input: I | null;
  /** The settings the job runs with, as a string. */
  key: string;
  /** Newer inputs are on their way: the job in flight is dropped (the worker stops it) and nothing starts. */
  pending: boolean;
  /** The stage's debounce (STAGE_DEBOUNCE_MS); null for a stage without a timer. Read once. */
  debounceMs: number | null;
  /** Tells the worker to cancel this stage's job. */
  cancelInWorker(): Promise<unknown>;
  /** `pending` turned on; `wasInFlight`: a job was dropped. */
  onPending?(wasInFlight: boolean): void;
}

export interface StageJob<I> {
  slot: StageSlot<I>;
  /** The user's Cancel: the worker stops the job and it settles as cancelled. */
  cancel(): void;
  /** Runs the same input and settings again, even if they have settled. */
  retry(): void;
  /** Looks again whether a job needs to start (after the worker interrupted one). */
  rerun(): void;
}

export function useStageJob<I, R, P>(options: StageJobOptions<I, R, P>): StageJob<I> {
  const [slot] = useState(() => new StageSlot<I>(options.debounceMs));
  const [tick, setTick] = useState(0);
  // A timer set by one render starts the job with the callbacks of the latest one.
  const latest = useRef(options);
  latest.current = options;
  const { input, key, pending } = options;

  useEffect(() => {
    if (!pending) return;
    const wasInFlight = slot.drop();
    latest.current.onPending?.(wasInFlight);
  }, [pending, slot]);

  useEffect(() => {
    if (input === null || pending) return;
    return slot.schedule(input, key, () => latest.current);
  }, [input, key, pending, slot, tick]);

  const cancel = useCallback(() => {
    slot.markUserCancel();
    latest.current.cancelInWorker().catch(() => {});
  }, [slot]);

  const rerun = useCallback(() => setTick((t) => t + 1), []);

  const retry = useCallback(() => {
    slot.forget();
    rerun();
  }, [slot, rerun]);

  return useMemo(() => ({ slot, cancel, retry, rerun }), [slot, cancel, retry, rerun]);
}
