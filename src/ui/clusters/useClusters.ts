// Page-side state of the K sweep. A sweep starts by itself once the encoder has finished (for each
// new set of vectors) and again, debounced, when the K range or the device setting changes; the
// worker cancels it when a new file, regroup or encode comes. Choosing K afterwards only picks
// another precomputed clustering: nothing is recomputed.
import { startTransition, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { AnalysisError, type AnalysisClient } from '../../worker/client';
import type { ClusterProgressWire, ClusterResult } from '../../worker/protocol';
import { clusterSettingsKey, loadClusterSettings, saveClusterSettings, type ClusterSettings } from './clusterSettings';

/** The vectors the sweep is for: the encoder's result, or the graph network's when it is on. */
export interface VectorSource {
  /** The finished result the vectors belong to (its identity says when they change), or null. */
  vectors: object | null;
  /** New vectors on their way: the sweep waits. */
  pending: boolean;
  which: 'encoder' | 'gcn';
}

export type ClusterState = 'waiting' | 'running' | 'done' | 'error' | 'cancelled';

export interface ClusterJob {
  state: ClusterState;
  progress: ClusterProgressWire | null;
  /** The last finished sweep (kept, marked stale, while a new one runs). */
  result: ClusterResult | null;
  /** The encode (or training) the result was made from. */
  resultFor: object | null;
  error: AnalysisError | null;
}

export interface ClustersState {
  settings: ClusterSettings;
  job: ClusterJob;
  /** The K on screen (null before the first sweep). */
  k: number | null;
  /** Whether the result on screen belongs to the vectors on screen. */
  stale: boolean;
  /** A problem with the settings themselves (kMin above kMax). */
  settingsError: string | null;
  update(patch: Partial<ClusterSettings>): void;
  chooseK(k: number): void;
  cancel(): void;
  retry(): void;
}

const SETTINGS_DEBOUNCE_MS = 300;

export function useClusters(client: AnalysisClient, source: VectorSource, analysisBusy: boolean): ClustersState {
  const [settings, setSettings] = useState<ClusterSettings>(() => loadClusterSettings());
  const [job, setJob] = useState<ClusterJob>({ state: 'waiting', progress: null, result: null, resultFor: null, error: null });
  const [k, setK] = useState<number | null>(null);
  const [tick, setTick] = useState(0);

  const vectors = source.vectors;
  const which = source.which;
  const key = clusterSettingsKey(settings);
  const settingsError = settings.kMin > settings.kMax ? `The smallest K (${settings.kMin}) is above the largest (${settings.kMax}).` : null;

  const jobId = useRef(0);
  const inFlight = useRef<{ vectors: object; key: string } | null>(null);
  const settled = useRef<{ vectors: object; key: string } | null>(null);
  const userCancelled = useRef(false);
  const lastVectors = useRef<object | null>(null);
  const latest = useRef(settings);
  latest.current = settings;

  const start = useCallback(
    async (forVectors: object, forKey: string, forWhich: VectorSource['which']) => {
      const id = ++jobId.current;
      const current = () => jobId.current === id;
      inFlight.current = { vectors: forVectors, key: forKey };
      userCancelled.current = false;
      lastVectors.current = forVectors;
      const s = latest.current;
      let over = false;
      setJob((j) => ({ ...j, state: 'running', progress: null, error: null }));
      try {
        const result = await client.cluster({ kMin: s.kMin, kMax: s.kMax, device: s.device, threads: s.threads, vectors: forWhich }, (progress) => {
          if (current() && !over) setJob((j) => (j.state === 'running' ? { ...j, progress } : j));
        });
        if (!current()) return;
        over = true;
        settled.current = { vectors: forVectors, key: forKey };
        // A finished sweep redraws several charts: as a transition React renders it in slices
        // that leave the main thread free between them.
        startTransition(() => {
          setJob({ state: 'done', progress: null, result, resultFor: forVectors, error: null });
          setK(result.suggested.k);
        });
      } catch (e) {
        if (!current()) return;
        const error = e instanceof AnalysisError ? e : new AnalysisError({ message: String(e), code: 'internal' });
        if (error.code === 'cancelled' && !userCancelled.current) {
          // Stopped by the worker for new vectors: their arrival starts the next sweep.
          setJob((j) => ({ ...j, state: 'waiting', progress: null }));
          return;
        }
        settled.current = { vectors: forVectors, key: forKey };
        setJob((j) => ({ ...j, state: error.code === 'cancelled' ? 'cancelled' : 'error', progress: null, error: error.code === 'cancelled' ? null : error }));
      } finally {
        over = true;
        if (current()) inFlight.current = null;
      }
    },
    [client],
  );

  // New vectors on their way (a new file, regroup or encode): the worker has stopped the sweep.
  const encoding = analysisBusy || source.pending;
  useEffect(() => {
    if (!encoding) return;
    if (inFlight.current) {
      jobId.current++;
      inFlight.current = null;
    }
    setJob((j) => (j.state === 'running' ? { ...j, state: 'waiting', progress: null } : j));
  }, [encoding]);

  useEffect(() => {
    if (!vectors || encoding || settingsError) return;
    if (inFlight.current?.vectors === vectors && inFlight.current.key === key) return;
    if (settled.current?.vectors === vectors && settled.current.key === key) return;
    // A setting changed on the same vectors: wait for the typing to stop. New vectors: at once.
    const delay = lastVectors.current === vectors ? SETTINGS_DEBOUNCE_MS : 0;
    const timer = setTimeout(() => void start(vectors, key, which), delay);
    return () => clearTimeout(timer);
  }, [vectors, which, encoding, key, settingsError, start, tick]);

  const update = useCallback((patch: Partial<ClusterSettings>) => {
    setSettings((s) => {
      const next = { ...s, ...patch };
      saveClusterSettings(next);
      return next;
    });
  }, []);

  const cancel = useCallback(() => {
    userCancelled.current = true;
    client.cancelCluster().catch(() => {});
  }, [client]);

  const retry = useCallback(() => {
    settled.current = null;
    setTick((t) => t + 1);
  }, []);

  const chooseK = useCallback((next: number) => setK(next), []);

  const stale = job.result !== null && (job.resultFor !== vectors || job.state === 'running' || job.state === 'waiting');
  return useMemo(
    () => ({ settings, job, k, stale, settingsError, update, chooseK, cancel, retry }),
    [settings, job, k, stale, settingsError, update, chooseK, cancel, retry],
  );
}
