// How sequences are encoded: the model and the pooling options. Remembered in localStorage (test
// models excepted: they are never picked without being asked for), and overridable from the URL
// for tests and links: ?model=seqlens-tiny-bert&device=wasm, ?encoder=seqbert&bert-epochs=1&bert-backend=wasm.
import { DEFAULT_EVENT_WEIGHTS, DEFAULT_HALF_LIFE_DAYS, type EncodeMode, type EventWeights } from '../../pipeline/encode';
import { DEFAULT_SEQBERT_OPTIONS, resolveSeqBertOptions, type SeqBertBackendChoice, type SeqBertOptions } from '../../pipeline/seqbert/options';
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
  /** The behaviour model's size and training, as the panel edits them (always valid once here). */
  bert: BertSettings;
}

/** The behaviour model's settings the panel shows; the rest keep the stage's defaults. */
export interface BertSettings {
  /** Each customer's most recent events read (the stage's maxLen). */
  maxLen: number;
  /** Training passes at most. */
  epochs: number;
  layers: number;
  /** The model's width (its hidden size): a multiple of `heads`. */
  hidden: number;
  heads: number;
  /** Where it trains. */
  backend: SeqBertBackendChoice;
}

/** The numeric behaviour-model settings, in the order the panel shows them. */
export const BERT_NUMBER_FIELDS = ['maxLen', 'epochs', 'layers', 'hidden', 'heads'] as const;
export type BertNumberField = (typeof BERT_NUMBER_FIELDS)[number];

export const BERT_BACKENDS: readonly SeqBertBackendChoice[] = ['auto', 'webgpu', 'wasm', 'cpu'];

/** The stage's own defaults (DEFAULT_SEQBERT_OPTIONS), a fresh object each call. */
export function defaultBertSettings(): BertSettings {
  const d = DEFAULT_SEQBERT_OPTIONS;
  return { maxLen: d.maxLen, epochs: d.epochs, layers: d.layers, hidden: d.hidden, heads: d.heads, backend: d.backend };
}

/** The stage's message for these settings (resolveSeqBertOptions), or null when it takes them. */
function stageMessage(b: BertSettings): string | null {
  try {
    resolveSeqBertOptions({ maxLen: b.maxLen, epochs: b.epochs, layers: b.layers, hidden: b.hidden, heads: b.heads, backend: b.backend });
    return null;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

export interface BertSettingsProblem {
  /** The stage's message, shown as it is. */
  message: string;
  /** The fields it is about (two for a width that the heads do not divide). */
  fields: BertNumberField[];
}

/**
 * What the behaviour-model stage says of these settings: null when it takes them. The fields to
 * mark are those whose default would change the stage's answer (so a width the heads do not divide
 * marks both the width and the heads).
 */
export function checkBertSettings(b: BertSettings): BertSettingsProblem | null {
  const message = stageMessage(b);
  if (message === null) return null;
  const d = defaultBertSettings();
  const fields = BERT_NUMBER_FIELDS.filter((f) => b[f] !== d[f] && stageMessage({ ...b, [f]: d[f] }) !== message);
  return { message, fields };
}

/**
 * The panel's typed text turned into settings, or the problem with it: an empty or non-numeric
 * field first, then what the stage says.
 */
export function parseBertDraft(
  draft: Record<BertNumberField, string>,
  backend: SeqBertBackendChoice,
): { settings: BertSettings } | { problem: BertSettingsProblem } {
  for (const f of BERT_NUMBER_FIELDS) {
    const text = draft[f].trim();
    if (text === '' || !Number.isFinite(Number(text))) return { problem: { message: 'Enter a whole number.', fields: [f] } };
  }
  const settings: BertSettings = {
    maxLen: Number(draft.maxLen),
    epochs: Number(draft.epochs),
    layers: Number(draft.layers),
    hidden: Number(draft.hidden),
    heads: Number(draft.heads),
    backend,
  };
  const problem = checkBertSettings(settings);
  return problem ? { problem } : { settings };
}

/** Remembered behaviour-model settings: each one of the right kind kept, and all of them only if the stage takes them together. */
export function loadBertSettings(saved: unknown): BertSettings {
  const d = defaultBertSettings();
  if (typeof saved !== 'object' || saved === null) return d;
  const s = saved as Record<string, unknown>;
  const out: BertSettings = { ...d };
  for (const f of BERT_NUMBER_FIELDS) if (typeof s[f] === 'number') out[f] = s[f];
  const backend = BERT_BACKENDS.find((b) => b === s.backend);
  if (backend) out.backend = backend;
  return checkBertSettings(out) ? d : out;
}

/** The behaviour model's options for the worker: the settings, with what the URL names winning. */
export function seqbertRequest(b: BertSettings, o: Pick<UrlOverrides, 'bertEpochs' | 'bertBackend'>): Partial<SeqBertOptions> {
  return {
    layers: b.layers,
    hidden: b.hidden,
    heads: b.heads,
    maxLen: b.maxLen,
    epochs: o.bertEpochs ?? b.epochs,
    backend: o.bertBackend ?? b.backend,
  };
}

export const WEIGHT_TYPES = ['view', 'click', 'cart', 'purchase', 'return', 'other'] as const;

/** The weight types the log has events of: 'other' stands for every type outside the canonical five. */
export function weightTypesIn(byType: Record<string, number> | undefined): (typeof WEIGHT_TYPES)[number][] {
  if (!byType) return [...WEIGHT_TYPES];
  const has = (t: string) => (byType[t] ?? 0) > 0;
  const canonical = new Set<string>(WEIGHT_TYPES.filter((t) => t !== 'other'));
  const other = Object.keys(byType).some((t) => !canonical.has(t) && has(t));
  return WEIGHT_TYPES.filter((t) => (t === 'other' ? other : has(t)));
}

export const DEFAULT_SETTINGS: EncoderSettings = {
  kind: 'seqbert',
  model: null,
  mode: 'items',
  weights: { ...DEFAULT_EVENT_WEIGHTS },
  halfLifeDays: DEFAULT_HALF_LIFE_DAYS,
  bert: defaultBertSettings(),
};

const STORAGE_KEY = 'seqlens.encoder.v1';

export interface UrlOverrides {
  model: string | null;
  device: DeviceChoice;
  /** ?encoder=seqbert|text */
  kind: EncoderKindChoice | null;
  /** ?bert-epochs=N: the behaviour model's epochs (a positive integer), for tests and quick looks. */
  bertEpochs: number | null;
  /** ?bert-backend=auto|webgpu|wasm|cpu: where the behaviour model trains; null: as the settings say. */
  bertBackend: SeqBertBackendChoice | null;
}

export function urlOverrides(search: string = typeof location === 'undefined' ? '' : location.search): UrlOverrides {
  const params = new URLSearchParams(search);
  const model = params.get('model')?.trim() || null;
  const d = params.get('device');
  const k = params.get('encoder');
  const epochs = Number(params.get('bert-epochs'));
  const backend = BERT_BACKENDS.find((b) => b === params.get('bert-backend')) ?? null;
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
      bert: loadBertSettings(saved.bert),
    };
  } catch {
    return { ...DEFAULT_SETTINGS, weights: { ...DEFAULT_SETTINGS.weights }, bert: defaultBertSettings() };
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
