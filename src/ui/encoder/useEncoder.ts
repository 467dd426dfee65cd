// Page-side state of the encoder: the model catalogue, the settings, and the encode job for the
// report on screen. Encoding starts by itself once a report is there (after a file, a remap or a
// regroup) and again, debounced, when a setting changes; reading a new file stops it. Every job has
// an id, so a superseded job can never overwrite the screen. The behaviour model: Stop ends its
// training and keeps the model so far (Cancel discards it), its loss curve, and model files: save
// the model on screen, or use a saved one (it then embeds every log opened, nothing is trained).
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { AnalysisReport } from '../../pipeline/types';
import { FEATURIZER_ID } from '../../worker/manifest';
import { AnalysisError, type AnalysisClient } from '../../worker/client';
import type { CatalogModel, EncodeProgressWire, EncodeResult, ModelCatalog } from '../../worker/protocol';
import { saveBlob } from '../common/download';
import { STAGE_DEBOUNCE_MS } from '../jobs/debounce';
import { useStageJob, type StageJob } from '../jobs/useStageJob';
import { loadSettings, poolingKey, saveSettings, seqbertRequest, urlOverrides, type EncoderSettings, type UrlOverrides } from './encoderSettings';

export type EncodeState = 'waiting' | 'running' | 'done' | 'error' | 'cancelled';

export interface EncodeJob {
  state: EncodeState;
  model: string;
  progress: EncodeProgressWire | null;
  result: EncodeResult | null;
  error: AnalysisError | null;
  /** The behaviour model's training is asked to stop (it ends after the current step). */
  stopping: boolean;
  /** The saved behaviour model file the job used, if it used one. */
  file: string | null;
}

/** A saved behaviour model chosen by the user: the encodes use it instead of training. */
export interface ModelFileChoice {
  name: string;
  bytes: Uint8Array;
  /** Changes with each choice (the same file chosen again runs again). */
  id: number;
}

export interface ModelFileState {
  /** Reading the chosen file or preparing the download. */
  busy: boolean;
  error: string | null;
  /** The last saved file's name. */
  saved: string | null;
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
  /** What the page address sets (?bert-epochs=, ?bert-backend=): it wins over the settings. */
  overrides: UrlOverrides;
  /** The model in use: the chosen one, else the catalogue's default. */
  model: string;
  /** Its catalogue entry (null for the featuriser or an unknown id). */
  entry: CatalogModel | null;
  job: EncodeJob;
  install: InstallState;
  /** The saved behaviour model in use instead of training, if one was chosen. */
  modelFile: ModelFileChoice | null;
  modelFileState: ModelFileState;
  update(patch: Partial<EncoderSettings>): void;
  cancel(): void;
  /** Ends the behaviour model's training now, keeping the model trained so far. */
  stop(): void;
  /** Uses a saved behaviour model file (read here, embedded in the worker). */
  chooseModelFile(file: File): void;
  /** Back to training the behaviour model on the log. */
  trainHere(): void;
  /** Downloads the behaviour model on screen as a .seqbert file. */
  saveModel(): void;
  retry(): void;
  installFolder(files: File[]): void;
  remove(id: string): void;
}

const AUTO_RESTARTS = 2;

export function useEncoder(client: AnalysisClient, report: AnalysisReport | null, analysisBusy: boolean): EncoderState {
  const overrides = useMemo(() => urlOverrides(), []);
  const [catalog, setCatalog] = useState<ModelCatalog | null>(null);
  const [catalogError, setCatalogError] = useState<string | null>(null);
  const [settings, setSettings] = useState<EncoderSettings>(() => {
    const s = loadSettings();
    const kind = overrides.kind ?? s.kind;
    return overrides.model ? { ...s, kind, model: overrides.model } : { ...s, kind };
  });
  const [job, setJob] = useState<EncodeJob>({ state: 'waiting', model: '', progress: null, result: null, error: null, stopping: false, file: null });
  const [modelFile, setModelFile] = useState<ModelFileChoice | null>(null);
  const [modelFileState, setModelFileState] = useState<ModelFileState>({ busy: false, error: null, saved: null });
  const fileIds = useRef(0);
  const [install, setInstall] = useState<InstallState>({ busy: false, message: '', error: null, done: '' });

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
  const usedFile = settings.kind === 'seqbert' ? modelFile : null;
  // The behaviour model's options (the panel's settings, the URL's winning) are part of the key: a
  // changed setting trains again, after the debounce.
  const bertKey = settings.kind === 'seqbert' ? `|${JSON.stringify(seqbertRequest(settings.bert, overrides))}` : '';
  const key = `${model}|${poolingKey(settings)}${bertKey}${usedFile ? `|file:${usedFile.id}` : ''}`;

  const restarts = useRef(0);
  const latestSettings = useRef(settings);
  latestSettings.current = settings;
  const latestFile = useRef(usedFile);
  latestFile.current = usedFile;

  // A job's callbacks are those of the render that started it: `model` is the model it runs.
  const stage: StageJob<AnalysisReport> = useStageJob<AnalysisReport, EncodeResult, EncodeProgressWire>({
    input: report && catalog ? report : null,
    key,
    // Reading a new file stops the encode (the worker does so too); the vectors on screen stay
    // until the new report's are ready.
    pending: analysisBusy,
    debounceMs: STAGE_DEBOUNCE_MS.encode,
    onPending: (wasInFlight) => {
      if (wasInFlight) setJob((j) => ({ ...j, state: 'waiting', progress: null }));
    },
    run: (_report, _key, progress) => {
      const s = latestSettings.current;
      const text = { model, mode: s.mode, weights: s.weights, halfLifeDays: s.halfLifeDays, device: overrides.device };
      // The behaviour model takes the text encoder's item vectors as its item features.
      const req =
        s.kind === 'seqbert'
          ? {
              ...text,
              kind: 'seqbert' as const,
              seqbert: seqbertRequest(s.bert, overrides),
            }
          : // Named, not left to the runner's default (the behaviour model).
            { ...text, kind: 'text' as const };
      const file = latestFile.current;
      // A copy: the bytes move to the worker, and the next log is embedded with the same file.
      if (file) return client.encodeWithModel(file.bytes.slice(), file.name, req, progress);
      return client.encode(req, progress);
    },
    started: () => setJob((j) => ({ ...j, state: 'running', model, progress: null, error: null, stopping: false, file: usedFile?.name ?? null })),
    progress: (progress) => setJob((j) => (j.state === 'running' ? { ...j, progress } : j)),
    done: (result) => {
      restarts.current = 0;
      setJob({ state: 'done', model, progress: null, result, error: null, stopping: false, file: usedFile?.name ?? null });
    },
    interrupted: () => {
      // Stopped by the worker for a new file or a regroup: the next report restarts it.
      setJob((j) => ({ ...j, state: 'waiting', progress: null, stopping: false }));
      if (restarts.current++ < AUTO_RESTARTS) stage.rerun();
    },
    failed: (error) => setJob((j) => ({ ...j, state: error ? 'error' : 'cancelled', model, progress: null, error, stopping: false })),
    cancelInWorker: () => client.cancelEncode(),
  });

  const update = useCallback(
    (patch: Partial<EncoderSettings>) => {
      // Choosing what to group by again means training (or the text encoder), not the file.
      if (patch.kind !== undefined) setModelFile(null);
      setSettings((s) => {
        const next = { ...s, ...patch };
        const isTest = catalog?.models.find((m) => m.id === next.model)?.test ?? false;
        saveSettings(next, isTest);
        return next;
      });
    },
    [catalog],
  );

  const cancel = stage.cancel;

  const stop = useCallback(() => {
    setJob((j) => (j.state === 'running' ? { ...j, stopping: true } : j));
    client.stopSeqBert().catch(() => {});
  }, [client]);

  const chooseModelFile = useCallback(
    (file: File) => {
      setModelFileState((s) => ({ ...s, busy: true, error: null }));
      file
        .arrayBuffer()
        .then((buffer) => {
          setModelFileState((s) => ({ ...s, busy: false }));
          // The kind first (it forgets any earlier file), then this file.
          update({ kind: 'seqbert' });
          setModelFile({ name: file.name, bytes: new Uint8Array(buffer), id: ++fileIds.current });
        })
        .catch((e: unknown) =>
          setModelFileState((s) => ({
            ...s,
            busy: false,
            error: `${file.name} could not be read (${e instanceof Error ? e.message : String(e)}). Choose the file again.`,
          })),
        );
    },
    [update],
  );

  const trainHere = useCallback(() => setModelFile(null), []);

  const saveModel = useCallback(() => {
    setModelFileState((s) => ({ ...s, busy: true, error: null }));
    client
      .seqBertModelFile()
      .then(({ bytes, name }) => {
        saveBlob(name, new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }));
        setModelFileState({ busy: false, error: null, saved: name });
      })
      .catch((e: unknown) => setModelFileState((s) => ({ ...s, busy: false, error: e instanceof Error ? e.message : String(e) })));
  }, [client]);

  const retry = useCallback(() => {
    restarts.current = 0;
    stage.retry();
  }, [stage]);

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
          update({ model: installed.id });
          stage.retry();
        })
        .catch((e: unknown) => {
          const error = e instanceof AnalysisError ? e : new AnalysisError({ message: String(e), code: 'internal' });
          setInstall({ busy: false, message: '', error, done: '' });
        });
    },
    [client, refreshCatalog, update, stage],
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

  return {
    catalog,
    catalogError,
    settings,
    overrides,
    model,
    entry,
    job,
    install,
    modelFile: usedFile,
    modelFileState,
    update,
    cancel,
    stop,
    chooseModelFile,
    trainHere,
    saveModel,
    retry,
    installFolder,
    remove,
  };
}
