// Page-side state of the K sweep. A sweep starts by itself once the encoder has finished (for each
// new set of vectors) and again, debounced, when the K range or the device setting changes; the
// worker cancels it when a new file, regroup or encode comes. Choosing K afterwards only picks
// another precomputed clustering: nothing is recomputed.
import { startTransition, useCallback, useMemo, useRef, useState } from 'react';
import type { AnalysisError, AnalysisClient } from '../../worker/client';
import type { ClusterProgressWire, ClusterResult } from '../../worker/protocol';
import { STAGE_DEBOUNCE_MS } from '../jobs/debounce';
import { useStageJob } from '../jobs/useStageJob';
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

export function useClusters(client: AnalysisClient, source: VectorSource, analysisBusy: boolean): ClustersState {
  const [settings, setSettings] = useState<ClusterSettings>(() => loadClusterSettings());
  const [job, setJob] = useState<ClusterJob>({ state: 'waiting', progress: null, result: null, resultFor: null, error: null });
  const [k, setK] = useState<number | null>(null);

  const vectors = source.vectors;
  const which = source.which;
  const key = clusterSettingsKey(settings);
  const settingsError = settings.kMin > settings.kMax ? `The smallest K (${settings.kMin}) is above the largest (${settings.kMax}).` : null;

  const latest = useRef(settings);
  latest.current = settings;

  // New vectors on their way (a new file, regroup or encode): the worker has stopped the sweep.
  const encoding = analysisBusy || source.pending;
  const stage = useStageJob<object, ClusterResult, ClusterProgressWire>({
    input: settingsError ? null : vectors,
    key,
    pending: encoding,
    // A setting changed on the same vectors: wait for the typing to stop. New vectors: at once.
    debounceMs: STAGE_DEBOUNCE_MS.cluster,
    onPending: () => setJob((j) => (j.state === 'running' ? { ...j, state: 'waiting', progress: null } : j)),
    run: (_vectors, _key, progress) => {
      const s = latest.current;
      return client.cluster({ kMin: s.kMin, kMax: s.kMax, device: s.device, threads: s.threads, vectors: which }, progress);
    },
    started: () => setJob((j) => ({ ...j, state: 'running', progress: null, error: null })),
    progress: (progress) => setJob((j) => (j.state === 'running' ? { ...j, progress } : j)),
    done: (result, forVectors) => {
      // A finished sweep redraws several charts: as a transition React renders it in slices
      // that leave the main thread free between them.
      startTransition(() => {
        setJob({ state: 'done', progress: null, result, resultFor: forVectors, error: null });
        setK(result.suggested.k);
      });
    },
    // Stopped by the worker for new vectors: their arrival starts the next sweep.
    interrupted: () => setJob((j) => ({ ...j, state: 'waiting', progress: null })),
    failed: (error) => setJob((j) => ({ ...j, state: error ? 'error' : 'cancelled', progress: null, error })),
    cancelInWorker: () => client.cancelCluster(),
  });

  const update = useCallback((patch: Partial<ClusterSettings>) => {
    setSettings((s) => {
      const next = { ...s, ...patch };
      saveClusterSettings(next);
      return next;
    });
  }, []);

  const { cancel, retry } = stage;

  const chooseK = useCallback((next: number) => setK(next), []);

  const stale = job.result !== null && (job.resultFor !== vectors || job.state === 'running' || job.state === 'waiting');
  return useMemo(
    () => ({ settings, job, k, stale, settingsError, update, chooseK, cancel, retry }),
    [settings, job, k, stale, settingsError, update, chooseK, cancel, retry],
  );
}
