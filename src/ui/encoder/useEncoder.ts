// Page-side state of the encoder: the model catalogue, the settings, and the encode job for the
// report on screen. Encoding starts by itself once a report is there (after a file, a remap or a
// regroup) and again, debounced, when a setting changes; reading a new file stops it. Every job has
// an id, so a superseded job can never overwrite the screen.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { AnalysisReport } from '../../pipeline/types';
import { FEATURIZER_ID } from '../../worker/manifest';
import { AnalysisError, type AnalysisClient } from '../../worker/client';
import type { CatalogModel, EncodeProgressWire, EncodeResult, ModelCatalog } from '../../worker/protocol';
import { loadSettings, poolingKey, saveSettings, urlOverrides, type EncoderSettings } from './encoderSettings';

export type EncodeState = 'waiting' | 'running' | 'done' | 'error' | 'cancelled';

export interface EncodeJob {
  state: EncodeState;
  model: string;
  progress: EncodeProgressWire | null;
  result: EncodeResult | null;
  error: AnalysisError | null;
}

export interface InstallState {
  busy: boolean;
  message: string;
  error: AnalysisError | null;
  done: string;
}

export interface EncoderState {
  catalog: ModelCatalog | null;
  catalogError: string | null;
  settings: EncoderSettings;
  /** The model in use: the chosen one, else the catalogue's default. */
  model: string;
  /** Its catalogue entry (null for the featuriser or an unknown id). */
  entry: CatalogModel | null;
  job: EncodeJob;
  install: InstallState;
  update(patch: Partial<EncoderSettings>): void;
  cancel(): void;
  retry(): void;
  installFolder(files: File[]): void;
  remove(id: string): void;
}

const SETTINGS_DEBOUNCE_MS = 250;
const AUTO_RESTARTS = 2;

export function useEncoder(client: AnalysisClient, report: AnalysisReport | null, analysisBusy: boolean): EncoderState {
  const overrides = useMemo(() => urlOverrides(), []);
  const [catalog, setCatalog] = useState<ModelCatalog | null>(null);
  const [catalogError, setCatalogError] = useState<string | null>(null);
  const [settings, setSettings] = useState<EncoderSettings>(() => {
    const s = loadSettings();
    return overrides.model ? { ...s, model: overrides.model } : s;
  });
  const [job, setJob] = useState<EncodeJob>({ state: 'waiting', model: '', progress: null, result: null, error: null });
  const [install, setInstall] = useState<InstallState>({ busy: false, message: '', error: null, done: '' });
  const [tick, setTick] = useState(0);

  const refreshCatalog = useCallback(async () => {
    try {
      setCatalog(await client.listModels());
      setCatalogError(null);
    } catch (e) {
      setCatalogError(e instanceof Error ? e.message : String(e));
      // Without the list the featuriser still works.
      setCatalog({ models: [], defaultModel: FEATURIZER_ID, preferred: null, manifestError: String(e), webgpu: { device: 'wasm', why: '' }, storage: false });
    }
  }, [client]);

  useEffect(() => {
    void refreshCatalog();
  }, [refreshCatalog]);

  // A remembered model that is no longer installed gives way to the default; one named in the URL is
  // tried as asked (and fails with a clear message if it is not there).
  const chosen = settings.model;
  let model = catalog?.defaultModel ?? FEATURIZER_ID;
  if (chosen === FEATURIZER_ID) model = FEATURIZER_ID;
  else if (chosen && catalog) {
    const e = catalog.models.find((m) => m.id === chosen);
    if ((e && e.source !== null) || chosen === overrides.model) model = chosen;
  }
  const entry = catalog?.models.find((m) => m.id === model) ?? null;
  const key = `${model}|${poolingKey(settings)}`;

  const jobId = useRef(0);
  const inFlight = useRef<{ report: AnalysisReport; key: string } | null>(null);
  const settled = useRef<{ report: AnalysisReport; key: string } | null>(null);
  const restarts = useRef(0);
  const userCancelled = useRef(false);
  const latestSettings = useRef(settings);
  latestSettings.current = settings;
  const lastReport = useRef<AnalysisReport | null>(null);

  const start = useCallback(
    async (forReport: AnalysisReport, forKey: string, forModel: string) => {
      const id = ++jobId.current;
      const current = () => jobId.current === id;
      inFlight.current = { report: forReport, key: forKey };
      userCancelled.current = false;
      lastReport.current = forReport;
      const s = latestSettings.current;
      setJob((j) => ({ state: 'running', model: forModel, progress: null, result: j.result, error: null }));
      let settledOk = false;
      try {
        const result = await client.encode(
          { model: forModel, mode: s.mode, weights: s.weights, halfLifeDays: s.halfLifeDays, device: overrides.device },
          (progress) => {
            if (current() && !settledOk) setJob((j) => (j.state === 'running' ? { ...j, progress } : j));
          },
        );
        if (!current()) return;
        settledOk = true;
        restarts.current = 0;
        settled.current = { report: forReport, key: forKey };
        setJob({ state: 'done', model: forModel, progress: null, result, error: null });
      } catch (e) {
        if (!current()) return;
        const error = e instanceof AnalysisError ? e : new AnalysisError({ message: String(e), code: 'internal' });
        if (error.code === 'cancelled' && !userCancelled.current) {
          // Stopped by the worker for a new file or a regroup: the next report restarts it.
          setJob((j) => ({ ...j, state: 'waiting', progress: null }));
          if (restarts.current++ < AUTO_RESTARTS) setTick((t) => t + 1);
          return;
        }
        settled.current = { report: forReport, key: forKey };
        setJob((j) => ({ state: error.code === 'cancelled' ? 'cancelled' : 'error', model: forModel, progress: null, result: j.result, error: error.code === 'cancelled' ? null : error }));
      } finally {
        settledOk = true;
        if (current()) inFlight.current = null;
      }
    },
    [client, overrides.device],
  );

  // Reading a new file stops the encode (the worker does so too); the vectors on screen stay until
  // the new report's are ready.
  useEffect(() => {
    if (!analysisBusy || !inFlight.current) return;
    jobId.current++;
    inFlight.current = null;
    setJob((j) => ({ ...j, state: 'waiting', progress: null }));
  }, [analysisBusy]);

  useEffect(() => {
    if (!report || !catalog || analysisBusy) return;
    if (inFlight.current?.report === report && inFlight.current.key === key) return;
    if (settled.current?.report === report && settled.current.key === key) return;
    // A setting changed on the same report: wait for the typing to stop. A new report: at once.
    const delay = lastReport.current === report ? SETTINGS_DEBOUNCE_MS : 0;
    const timer = setTimeout(() => void start(report, key, model), delay);
    return () => clearTimeout(timer);
  }, [report, catalog, analysisBusy, key, model, start, tick]);

  const update = useCallback(
    (patch: Partial<EncoderSettings>) => {
      setSettings((s) => {
        const next = { ...s, ...patch };
        const isTest = catalog?.models.find((m) => m.id === next.model)?.test ?? false;
        saveSettings(next, isTest);
        return next;
      });
    },
    [catalog],
  );

  const cancel = useCallback(() => {
    userCancelled.current = true;
    client.cancelEncode().catch(() => {});
  }, [client]);

  const retry = useCallback(() => {
    settled.current = null;
    restarts.current = 0;
    setTick((t) => t + 1);
  }, []);

  const installFolder = useCallback(
    (files: File[]) => {
      if (files.length === 0) return;
      const folder = (files[0].webkitRelativePath || files[0].name).split('/')[0];
      setInstall({ busy: true, message: `Reading ${folder}…`, error: null, done: '' });
      client
        .installModel(
          files.map((file) => ({ path: file.webkitRelativePath || file.name, file })),
          (message) => setInstall((s) => (s.busy ? { ...s, message } : s)),
        )
        .then(async (installed) => {
          setInstall({ busy: false, message: '', error: null, done: `${installed.label} is installed in this browser and selected.` });
          await refreshCatalog();
          settled.current = null;
          update({ model: installed.id });
          setTick((t) => t + 1);
        })
        .catch((e: unknown) => {
          const error = e instanceof AnalysisError ? e : new AnalysisError({ message: String(e), code: 'internal' });
          setInstall({ busy: false, message: '', error, done: '' });
        });
    },
    [client, refreshCatalog, update],
  );

  const remove = useCallback(
    (id: string) => {
      client
        .removeModel(id)
        .then(async () => {
          setInstall({ busy: false, message: '', error: null, done: `Removed ${id} from this browser.` });
          if (latestSettings.current.model === id) update({ model: null });
          await refreshCatalog();
        })
        .catch((e: unknown) => {
          const error = e instanceof AnalysisError ? e : new AnalysisError({ message: String(e), code: 'internal' });
          setInstall({ busy: false, message: '', error, done: '' });
        });
    },
    [client, refreshCatalog, update],
  );

  return { catalog, catalogError, settings, model, entry, job, install, update, cancel, retry, installFolder, remove };
}
