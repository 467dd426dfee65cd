// How sequences are encoded: the model and the pooling options. Remembered in localStorage (test
// models excepted: they are never picked without being asked for), and overridable from the URL
// for tests and links: ?model=seqlens-tiny-bert&device=wasm, ?encoder=seqbert&bert-epochs=1&bert-backend=wasm.
import { DEFAULT_EVENT_WEIGHTS, DEFAULT_HALF_LIFE_DAYS, type EncodeMode, type EventWeights } from '../../pipeline/encode';
import type { SeqBertBackendChoice } from '../../pipeline/seqbert/options';
import type { DeviceChoice } from '../../worker/protocol';

/** What customers are grouped by: their items' titles ('text') or how they shop (the behaviour BERT). */
export type EncoderKindChoice = 'text' | 'seqbert';

export interface EncoderSettings {
  /** 'seqbert': the behaviour model trained on the log (the default); 'text': the text encoder's vectors. */
  kind: EncoderKindChoice;
  /** A catalogue id or 'featurizer'; null = the default (the real model if installed). */
  model: string | null;
  mode: EncodeMode;
  weights: EventWeights;
  halfLifeDays: number;
}

export const WEIGHT_TYPES = ['view', 'click', 'cart', 'purchase', 'return', 'other'] as const;

export const DEFAULT_SETTINGS: EncoderSettings = {
  kind: 'seqbert',
  model: null,
  mode: 'items',
  weights: { ...DEFAULT_EVENT_WEIGHTS },
  halfLifeDays: DEFAULT_HALF_LIFE_DAYS,
};

const STORAGE_KEY = 'seqlens.encoder.v1';

export interface UrlOverrides {
  model: string | null;
  device: DeviceChoice;
  /** ?encoder=seqbert|text */
  kind: EncoderKindChoice | null;
  /** ?bert-epochs=N: the behaviour model's epochs (a positive integer), for tests and quick looks. */
  bertEpochs: number | null;
  /** ?bert-backend=auto|webgpu|wasm|cpu: where the behaviour model trains (default auto). */
  bertBackend: SeqBertBackendChoice;
}

const BERT_BACKENDS: readonly SeqBertBackendChoice[] = ['auto', 'webgpu', 'wasm', 'cpu'];

export function urlOverrides(search: string = typeof location === 'undefined' ? '' : location.search): UrlOverrides {
  const params = new URLSearchParams(search);
  const model = params.get('model')?.trim() || null;
  const d = params.get('device');
  const k = params.get('encoder');
  const epochs = Number(params.get('bert-epochs'));
  const backend = BERT_BACKENDS.find((b) => b === params.get('bert-backend')) ?? 'auto';
  return {
    model,
    device: d === 'wasm' || d === 'webgpu' ? d : 'auto',
    kind: k === 'seqbert' || k === 'text' ? k : null,
    bertEpochs: Number.isInteger(epochs) && epochs > 0 ? epochs : null,
    bertBackend: backend,
  };
}

export function loadSettings(): EncoderSettings {
  try {
    const raw = localStorage.getItem(STORAGE_KEY);
    const saved = raw ? (JSON.parse(raw) as Partial<EncoderSettings>) : {};
    const weights: EventWeights = { ...DEFAULT_EVENT_WEIGHTS };
    for (const [k, v] of Object.entries(saved.weights ?? {})) if (typeof v === 'number' && Number.isFinite(v)) weights[k] = v;
    return {
      // A kind remembered from an earlier visit stays; a fresh visitor gets the default (the behaviour model).
      kind: saved.kind === 'seqbert' || saved.kind === 'text' ? saved.kind : DEFAULT_SETTINGS.kind,
      model: typeof saved.model === 'string' ? saved.model : null,
      mode: saved.mode === 'sequence-text' ? 'sequence-text' : 'items',
      weights,
      halfLifeDays: typeof saved.halfLifeDays === 'number' && saved.halfLifeDays >= 0 ? saved.halfLifeDays : DEFAULT_HALF_LIFE_DAYS,
    };
  } catch {
    return { ...DEFAULT_SETTINGS, weights: { ...DEFAULT_SETTINGS.weights } };
  }
}

export function saveSettings(settings: EncoderSettings, isTestModel: boolean): void {
  try {
    const stored = { ...settings, model: isTestModel ? null : settings.model };
    localStorage.setItem(STORAGE_KEY, JSON.stringify(stored));
  } catch {
    // Remembering is a convenience; storage may be off or full.
  }
}

/** A stable key of everything that changes the vectors (the model aside). */
export function poolingKey(s: EncoderSettings): string {
  if (s.kind === 'seqbert') return `seqbert|${s.mode}|${WEIGHT_TYPES.map((t) => s.weights[t]).join(',')}|${s.halfLifeDays}`;
  if (s.mode === 'sequence-text') return 'sequence-text';
  return `items|${WEIGHT_TYPES.map((t) => s.weights[t]).join(',')}|${s.halfLifeDays}`;
}
