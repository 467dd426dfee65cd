// Page-side state of the graph network. Training starts by itself once the encoder has finished
// (for each new set of vectors) and again, debounced, when a graph or training setting changes;
// the worker cancels it when a new file, regroup or encode comes. Stop ends it after the current
// epoch and keeps the vectors trained so far; Cancel abandons it.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { AnalysisError, AnalysisClient } from '../../worker/client';
import type { EncodeResult, GcnGraphWire, GcnProgressWire, GcnResultWire } from '../../worker/protocol';
import { STAGE_DEBOUNCE_MS } from '../jobs/debounce';
import { useStageJob } from '../jobs/useStageJob';
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

const EMPTY: Omit<GcnJob, 'state'> = { graph: null, losses: [], epochs: 0, msPerEpoch: 0, stopping: false, result: null, resultFor: null, error: null };

export function useGcn(client: AnalysisClient, encode: EncodeJob, analysisBusy: boolean): GcnStateApi {
  const [settings, setSettings] = useState<GcnSettings>(() => loadGcnSettings());
  const [job, setJob] = useState<GcnJob>({ state: 'waiting', ...EMPTY });
  const vectors = encode.state === 'done' ? encode.result : null;
  const key = gcnSettingsKey(settings);
  const latest = useRef(settings);
  latest.current = settings;
  // Sum of the epochs' times of the job on screen, for the mean.
  const trainMs = useRef(0);

  // New vectors on their way (a new file, regroup or encode): the worker has stopped the training.
  const encoding = analysisBusy || encode.state === 'running';
  const enabled = settings.enabled;
  const stage = useStageJob<EncodeResult, GcnResultWire, GcnProgressWire>({
    input: enabled ? vectors : null,
    key,
    pending: encoding,
    debounceMs: STAGE_DEBOUNCE_MS.gcn,
    onPending: () => setJob((j) => (j.state === 'running' ? { ...j, state: 'waiting', stopping: false } : j)),
    run: (_vectors, _key, progress) => client.trainGcn(gcnRequest(latest.current), progress),
    started: () => {
      trainMs.current = 0;
      setJob((j) => ({ ...j, state: 'running', graph: null, losses: [], epochs: 0, msPerEpoch: 0, stopping: false, error: null }));
    },
    progress: (p) => {
      if (p.stage === 'train') trainMs.current += p.ms;
      const total = trainMs.current;
      setJob((j) =>
        j.state !== 'running'
          ? j
          : p.stage === 'graph'
            ? { ...j, graph: p.graph, epochs: p.epochs }
            : { ...j, graph: p.graph, epochs: p.epochs, losses: [...j.losses, p.loss], msPerEpoch: total / p.epoch },
      );
    },
    done: (result, forVectors) =>
      setJob({
        state: 'done',
        graph: result.graph,
        losses: result.report.loss,
        epochs: result.report.epochs,
        msPerEpoch: result.msPerEpoch,
        stopping: false,
        result,
        resultFor: forVectors,
        error: null,
      }),
    // Stopped by the worker for new vectors: their arrival starts the next training.
    interrupted: () => setJob((j) => ({ ...j, state: 'waiting', stopping: false })),
    failed: (error) => setJob((j) => ({ ...j, state: error ? 'error' : 'cancelled', stopping: false, result: null, resultFor: null, error })),
    cancelInWorker: () => client.cancelGcn(),
  });

  useEffect(() => {
    if (enabled) return;
    // Switched off: whatever runs is pointless.
    if (stage.slot.drop()) client.cancelGcn().catch(() => {});
    stage.slot.forget();
    setJob({ state: 'off', ...EMPTY });
  }, [client, enabled, vectors, encoding, key, stage]);

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

  const { cancel, retry } = stage;

  return useMemo(() => ({ settings, job, update, stop, cancel, retry }), [settings, job, update, stop, cancel, retry]);
}
