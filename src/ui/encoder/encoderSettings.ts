// How sequences are encoded: the model and the pooling options. Remembered in localStorage (test
// models excepted: they are never picked without being asked for), and overridable from the URL
// for tests and links: ?model=seqlens-tiny-bert&device=wasm.
import { DEFAULT_EVENT_WEIGHTS, DEFAULT_HALF_LIFE_DAYS, type EncodeMode, type EventWeights } from '../../pipeline/encode';
import type { DeviceChoice } from '../../worker/protocol';

export interface EncoderSettings {
  /** A catalogue id or 'featurizer'; null = the default (the real model if installed). */
  model: string | null;
  mode: EncodeMode;
  weights: EventWeights;
  halfLifeDays: number;
}

export const WEIGHT_TYPES = ['view', 'click', 'cart', 'purchase', 'return', 'other'] as const;

export const DEFAULT_SETTINGS: EncoderSettings = {
  model: null,
  mode: 'items',
  weights: { ...DEFAULT_EVENT_WEIGHTS },
  halfLifeDays: DEFAULT_HALF_LIFE_DAYS,
};

const STORAGE_KEY = 'seqlens.encoder.v1';

export interface UrlOverrides {
  model: string | null;
  device: DeviceChoice;
}

export function urlOverrides(search: string = typeof location === 'undefined' ? '' : location.search): UrlOverrides {
  const params = new URLSearchParams(search);
  const model = params.get('model')?.trim() || null;
  const d = params.get('device');
  return { model, device: d === 'wasm' || d === 'webgpu' ? d : 'auto' };
}

export function loadSettings(): EncoderSettings {
  try {
    const raw = localStorage.getItem(STORAGE_KEY);
    const saved = raw ? (JSON.parse(raw) as Partial<EncoderSettings>) : {};
    const weights: EventWeights = { ...DEFAULT_EVENT_WEIGHTS };
    for (const [k, v] of Object.entries(saved.weights ?? {})) if (typeof v === 'number' && Number.isFinite(v)) weights[k] = v;
    return {
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
  if (s.mode === 'sequence-text') return 'sequence-text';
  return `items|${WEIGHT_TYPES.map((t) => s.weights[t]).join(',')}|${s.halfLifeDays}`;
}
