// Page-side state of the graph network. Training starts by itself once the encoder has finished
// (for each new set of vectors) and again, debounced, when a graph or training setting changes;
// the worker cancels it when a new file, regroup or encode comes. Stop ends it after the current
// epoch and keeps the vectors trained so far; Cancel abandons it.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { AnalysisError, type AnalysisClient } from '../../worker/client';
import type { EncodeResult, GcnGraphWire, GcnResultWire } from '../../worker/protocol';
import { gcnRequest, gcnSettingsKey, loadGcnSettings, saveGcnSettings, type GcnSettings } from './gcnSettings';
import type { EncodeJob } from '../encoder/useEncoder';

export type GcnState = 'off' | 'waiting' | 'running' | 'done' | 'error' | 'cancelled';

export interface GcnJob {
  state: GcnState;
  graph: GcnGraphWire | null;
  /** Loss of each epoch so far. */
  losses: number[];
  epochs: number;
  /** Mean ms of the epochs so far. */
  msPerEpoch: number;
  stopping: boolean;
  result: GcnResultWire | null;
  resultFor: EncodeResult | null;
  error: AnalysisError | null;
}

export interface GcnStateApi {
  settings: GcnSettings;
  job: GcnJob;
  update(patch: Partial<GcnSettings>): void;
  stop(): void;
  cancel(): void;
  retry(): void;
}

const SETTINGS_DEBOUNCE_MS = 300;
const EMPTY: Omit<GcnJob, 'state'> = { graph: null, losses: [], epochs: 0, msPerEpoch: 0, stopping: false, result: null, resultFor: null, error: null };

export function useGcn(client: AnalysisClient, encode: EncodeJob, analysisBusy: boolean): GcnStateApi {
  const [settings, setSettings] = useState<GcnSettings>(() => loadGcnSettings());
  const [job, setJob] = useState<GcnJob>({ state: 'waiting', ...EMPTY });
  const [tick, setTick] = useState(0);
  const vectors = encode.state === 'done' ? encode.result : null;
  const key = gcnSettingsKey(settings);
  const jobId = useRef(0);
  const inFlight = useRef<{ vectors: EncodeResult; key: string } | null>(null);
  const settled = useRef<{ vectors: EncodeResult; key: string } | null>(null);
  const userCancelled = useRef(false);
  const lastVectors = useRef<EncodeResult | null>(null);
  const latest = useRef(settings);
  latest.current = settings;

  const start = useCallback(
    async (forVectors: EncodeResult, forKey: string) => {
      const id = ++jobId.current;
      const current = () => jobId.current === id;
      inFlight.current = { vectors: forVectors, key: forKey };
      userCancelled.current = false;
      lastVectors.current = forVectors;
      let over = false;
      let total = 0;
      setJob((j) => ({ ...j, state: 'running', graph: null, losses: [], epochs: 0, msPerEpoch: 0, stopping: false, error: null }));
      try {
        const result = await client.trainGcn(gcnRequest(latest.current), (p) => {
          if (!current() || over) return;
          if (p.stage === 'train') total += p.ms;
          setJob((j) =>
            j.state !== 'running'
              ? j
              : p.stage === 'graph'
                ? { ...j, graph: p.graph, epochs: p.epochs }
                : { ...j, graph: p.graph, epochs: p.epochs, losses: [...j.losses, p.loss], msPerEpoch: total / p.epoch },
          );
        });
        if (!current()) return;
        over = true;
        settled.current = { vectors: forVectors, key: forKey };
        setJob({ state: 'done', graph: result.graph, losses: result.report.loss, epochs: result.report.epochs, msPerEpoch: result.msPerEpoch, stopping: false, result, resultFor: forVectors, error: null });
      } catch (e) {
        if (!current()) return;
        const error = e instanceof AnalysisError ? e : new AnalysisError({ message: String(e), code: 'internal' });
        if (error.code === 'cancelled' && !userCancelled.current) {
          // Stopped by the worker for new vectors: their arrival starts the next training.
          setJob((j) => ({ ...j, state: 'waiting', stopping: false }));
          return;
        }
        settled.current = { vectors: forVectors, key: forKey };
        setJob((j) => ({ ...j, state: error.code === 'cancelled' ? 'cancelled' : 'error', stopping: false, result: null, resultFor: null, error: error.code === 'cancelled' ? null : error }));
      } finally {
        over = true;
        if (current()) inFlight.current = null;
      }
    },
    [client],
  );

  // New vectors on their way (a new file, regroup or encode): the worker has stopped the training.
  const encoding = analysisBusy || encode.state === 'running';
  useEffect(() => {
    if (!encoding) return;
    if (inFlight.current) {
      jobId.current++;
      inFlight.current = null;
    }
    setJob((j) => (j.state === 'running' ? { ...j, state: 'waiting', stopping: false } : j));
  }, [encoding]);

  const enabled = settings.enabled;
  useEffect(() => {
    if (!enabled) {
      // Switched off: whatever runs is pointless.
      if (inFlight.current) {
        jobId.current++;
        inFlight.current = null;
        client.cancelGcn().catch(() => {});
      }
      settled.current = null;
      setJob({ state: 'off', ...EMPTY });
      return;
    }
    if (!vectors || encoding) return;
    if (inFlight.current?.vectors === vectors && inFlight.current.key === key) return;
    if (settled.current?.vectors === vectors && settled.current.key === key) return;
    const delay = lastVectors.current === vectors ? SETTINGS_DEBOUNCE_MS : 0;
    const timer = setTimeout(() => void start(vectors, key), delay);
    return () => clearTimeout(timer);
  }, [client, enabled, vectors, encoding, key, start, tick]);

  const update = useCallback((patch: Partial<GcnSettings>) => {
    setSettings((s) => {
      const next = { ...s, ...patch };
      saveGcnSettings(next);
      return next;
    });
  }, []);

  const stop = useCallback(() => {
    setJob((j) => (j.state === 'running' ? { ...j, stopping: true } : j));
    client.stopGcn().catch(() => {});
  }, [client]);

  const cancel = useCallback(() => {
    userCancelled.current = true;
    client.cancelGcn().catch(() => {});
  }, [client]);

  const retry = useCallback(() => {
    settled.current = null;
    setTick((t) => t + 1);
  }, []);

  return useMemo(() => ({ settings, job, update, stop, cancel, retry }), [settings, job, update, stop, cancel, retry]);
}
