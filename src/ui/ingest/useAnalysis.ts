// Page-side state of the analysis: the report on screen, the job in flight and what to tell the
// user. Every job gets an id so that a cancelled or superseded job can never overwrite the screen.
import { startTransition, useCallback, useEffect, useRef, useState } from 'react';
import type { AnalysisReport, Detection, Progress, RoleMapping, SequenceOptions } from '../../pipeline/types';
import type { DateOrder } from '../../pipeline/ingest/timestamp';
import { AnalysisError, type AnalysisClient, type OnProgress } from '../../worker/client';
import { DEMO_FILE_NAME } from '../../worker/protocol';
import { formatInt } from '../common/format';
import { loadSavedMappings, saveMapping } from './mappingStore';
import { loadReadLimit } from './readLimit';
import { loadKeepLogs } from '../state/keepLogs';

export interface RunningJob {
  label: string;
  /**
   * The job's progress, read by the progress bar alone (useSyncExternalStore): a progress update
   * redraws the bar, not the page, so the main thread stays nearly idle while the worker's
   * threads read a large file.
   */
  progress: ProgressStore;
}

/** The latest progress of one job, with subscribers. */
export class ProgressStore {
  private value: Progress | null = null;
  private readonly listeners = new Set<() => void>();
  readonly get = (): Progress | null => this.value;
  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };
  set(p: Progress): void {
    this.value = p;
    for (const l of this.listeners) l();
  }
}

export interface Unrecognised {
  fileName: string;
  detection: Detection;
}

export interface AnalysisState {
  report: AnalysisReport | null;
  /** Changes when a new file (or a remap) is on screen, but not on regrouping. */
  generation: number;
  running: RunningJob | null;
  error: AnalysisError | null;
  /** Name of the file the error is about. */
  errorSubject: string;
  /** Neutral news for the live region: done, cancelled, regrouped. */
  status: string;
  /** A file whose user/item columns could not be found, with its columns to map by hand. */
  unrecognised: Unrecognised | null;
  openFile(file: File): void;
  loadDemo(): void;
  /** Re-reads the file with these column roles (and a day/month order for numeric dates; unset: from the file). */
  applyMapping(mapping: RoleMapping, dateOrder?: DateOrder): void;
  regroup(options: SequenceOptions): void;
  reopen(id: string, name: string, orElse?: () => void): void;
  cancel(): void;
  dismissError(): void;
}

export function useAnalysis(client: AnalysisClient): AnalysisState {
  const [report, setReport] = useState<AnalysisReport | null>(null);
  const [generation, setGeneration] = useState(0);
  const [running, setRunning] = useState<RunningJob | null>(null);
  // Jobs waiting for the page to show their waiting state before the worker starts (see start()).
  const shownWaiters = useRef<(() => void)[]>([]);
  useEffect(() => {
    for (const resolve of shownWaiters.current.splice(0)) resolve();
  }, [running]);
  const [error, setError] = useState<AnalysisError | null>(null);
  const [errorSubject, setErrorSubject] = useState('');
  const [status, setStatus] = useState('');
  const [unrecognised, setUnrecognised] = useState<Unrecognised | null>(null);

  const jobId = useRef(0);
  const regroupId = useRef(0);
  // The callbacks read current state through this, so that they stay the same across renders.
  const latest = useRef({ report, unrecognised });
  useEffect(() => {
    latest.current = { report, unrecognised };
  }, [report, unrecognised]);
  const cancelledMessage = () => (latest.current.report ? 'Cancelled — the previous result is kept.' : 'Cancelled.');

  const start = useCallback(
    async (label: string, subject: string, job: (onProgress: OnProgress) => Promise<AnalysisReport>, onDone?: (r: AnalysisReport) => void) => {
      const id = ++jobId.current;
      const current = () => jobId.current === id;
      // Progress travels on its own message port, so a last update can land after the result.
      let settled = false;
      // A new job turns every panel below to waiting: a large render, so React may slice it (a
      // transition) instead of holding the main thread for all of it; its progress likewise.
      const progress = new ProgressStore();
      startTransition(() => {
        setRunning({ label, progress });
        setError(null);
        setStatus('');
      });
      try {
        // Let the page commit and draw the new state first: the worker's reading (on every core,
        // for a large file) then competes with later frames, not with this large one.
        await new Promise<void>((resolve) => {
          shownWaiters.current.push(resolve);
          setTimeout(resolve, 500);
        });
        await afterNextPaint();
        if (!current()) return;
        const next = await job((p) => {
          if (current() && !settled) progress.set(p);
        });
        if (!current()) return;
        setReport(next);
        setGeneration((g) => g + 1);
        setUnrecognised(null);
        // Only the reading is done here: the status bar says when the segments are ready.
        setStatus(
          `Read ${next.file.name}: ${formatInt(next.events.total)} events of ${formatInt(next.sequences.count)} ${next.sequences.by === 'user' ? 'customers' : 'sessions'}.`,
        );
        onDone?.(next);
      } catch (e) {
        if (!current()) return;
        const failure = e instanceof AnalysisError ? e : new AnalysisError({ message: String(e), code: 'internal' });
        if (failure.code === 'cancelled') {
          setStatus(cancelledMessage());
        } else {
          setError(failure);
          setErrorSubject(subject);
          // The worker keeps that file, so the panel can map it until another result arrives.
          setUnrecognised(failure.code === 'no-user-or-item' && failure.detection ? { fileName: subject, detection: failure.detection } : null);
        }
      } finally {
        settled = true;
        if (current()) setRunning(null);
      }
    },
    [],
  );

  const openFile = useCallback(
    (file: File) =>
      void start(`Reading ${file.name}`, file.name, (p) =>
        client.analyzeFile(
          file,
          // The log is copied into the browser only when the user said so (asked after the read otherwise).
          { savedMappings: loadSavedMappings(), readThreads: readThreadsOverride(), maxEvents: loadReadLimit(), keepFile: loadKeepLogs() === 'always' },
          p,
        ),
      ),
    [client, start],
  );

  const loadDemo = useCallback(
    () => void start('Loading the demo data', DEMO_FILE_NAME, (p) => client.analyzeDemo({ savedMappings: loadSavedMappings(), maxEvents: loadReadLimit() }, p)),
    [client, start],
  );

  /** Opens a log kept in this browser again; `orElse` runs when it cannot be (gone, too large to keep). */
  const reopen = useCallback(
    (id: string, name: string, orElse?: () => void) =>
      void start(`Reopening ${name}`, name, async (p) => {
        try {
          return await client.reopen(id, p, loadReadLimit());
        } catch (e) {
          if (orElse && !(e instanceof AnalysisError && e.code === 'cancelled')) {
            queueMicrotask(orElse);
            throw new AnalysisError({ message: 'Cancelled.', code: 'cancelled' });
          }
          throw e;
        }
      }),
    [client, start],
  );

  const applyMapping = useCallback(
    (mapping: RoleMapping, dateOrder?: DateOrder) => {
      const { report: shown, unrecognised: failed } = latest.current;
      // Options tuned for the report on screen don't belong to a different file that failed.
      const sequence = failed ? undefined : shown?.options;
      void start(
        'Re-reading with your column roles',
        failed ? failed.fileName : (shown?.file.name ?? ''),
        (p) => client.remap(failed ? 'unrecognised' : 'report', mapping, sequence, p, dateOrder),
        (next) => saveMapping(next.detection.layoutKey, mapping),
      );
    },
    [client, start],
  );

  const regroup = useCallback(
    async (options: SequenceOptions) => {
      const id = ++regroupId.current;
      const job = jobId.current;
      const current = () => regroupId.current === id && jobId.current === job;
      try {
        const next = await client.regroup(options);
        if (!current()) return;
        setReport(next);
        setError(null);
        setStatus(
          next.sequences.by === 'user'
            ? `Grouped by customer: ${formatInt(next.sequences.count)} customers.`
            : `Grouped by session: ${formatInt(next.sequences.count)} sessions.`,
        );
      } catch (e) {
        if (!current()) return;
        setErrorSubject(latest.current.report?.file.name ?? '');
        setError(e instanceof AnalysisError ? e : new AnalysisError({ message: String(e), code: 'internal' }));
      }
    },
    [client],
  );

  const cancel = useCallback(() => {
    // Let go at once: whatever the worker still reports for this job is ignored.
    jobId.current++;
    setRunning(null);
    setStatus(cancelledMessage());
    client.cancel().catch(() => {});
  }, [client]);

  const dismissError = useCallback(() => setError(null), []);

  return {
    report,
    generation,
    running,
    error,
    errorSubject,
    status,
    unrecognised,
    openFile,
    loadDemo,
    reopen,
    applyMapping,
    regroup,
    cancel,
    dismissError,
  };
}

/**
 * Resolves once the next frame is painted and the page has gone idle (the panels that react to a
 * new job have re-rendered), or after 300 ms at most (a hidden tab paints nothing).
 */
function afterNextPaint(): Promise<void> {
  return new Promise((resolve) => {
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      resolve();
    };
    const idle = () => (typeof requestIdleCallback === 'function' ? requestIdleCallback(finish, { timeout: 200 }) : setTimeout(finish, 0));
    if (typeof requestAnimationFrame === 'function') requestAnimationFrame(() => setTimeout(idle, 0));
    setTimeout(finish, 300);
  });
}

/** ?read-threads=on|off|auto: whether a file is read in parts on helper threads (a diagnostic: the result is the same). */
function readThreadsOverride(): 'auto' | 'on' | 'off' | undefined {
  if (typeof location === 'undefined') return undefined;
  const v = new URLSearchParams(location.search).get('read-threads');
  return v === 'auto' || v === 'on' || v === 'off' ? v : undefined;
}
