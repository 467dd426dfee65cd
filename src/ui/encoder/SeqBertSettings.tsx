// The behaviour model's settings, folded under "How they shop": how much of each history it reads,
// how long it trains, its size and where it trains. What is typed is checked by the stage's own
// rules (resolveSeqBertOptions) before anything is sent: a value it refuses is shown with the
// stage's message beside the field, and nothing trains until it is fixed. Valid values go to the
// encoder's settings (remembered, and the encode runs again after its debounce).
import { useEffect, useId, useState } from 'react';
import type { SeqBertBackendChoice } from '../../pipeline/seqbert/options';
import {
  BERT_BACKENDS,
  BERT_NUMBER_FIELDS,
  defaultBertSettings,
  parseBertDraft,
  type BertNumberField,
  type BertSettings,
  type UrlOverrides,
} from './encoderSettings';

type Draft = Record<BertNumberField, string>;

const FIELDS: Record<BertNumberField, { label: string; hint: string; testId: string }> = {
  maxLen: {
    label: 'Events read per customer (most recent)',
    hint: 'longer histories are cut to their last events (maxLen)',
    testId: 'bert-max-len',
  },
  epochs: { label: 'Training passes at most', hint: 'fewer on a large log, or when it stops improving (epochs)', testId: 'bert-epochs' },
  layers: { label: 'Layers', hint: 'more learns more, trains slower (transformer layers)', testId: 'bert-layers' },
  hidden: { label: 'Width', hint: 'numbers per event inside the model; a multiple of the heads (hidden size)', testId: 'bert-hidden' },
  heads: { label: 'Attention heads', hint: 'ways each event looks at the others (attention heads)', testId: 'bert-heads' },
};

const BACKEND_LABELS: Record<SeqBertBackendChoice, string> = {
  auto: 'Automatic',
  webgpu: 'GPU (WebGPU)',
  wasm: 'CPU, WebAssembly',
  cpu: 'CPU, plain JavaScript',
};

const toDraft = (b: BertSettings): Draft => Object.fromEntries(BERT_NUMBER_FIELDS.map((f) => [f, String(b[f])])) as Draft;

const sameSettings = (a: BertSettings, b: BertSettings): boolean => a.backend === b.backend && BERT_NUMBER_FIELDS.every((f) => a[f] === b[f]);

interface Props {
  settings: BertSettings;
  overrides: Pick<UrlOverrides, 'bertEpochs' | 'bertBackend'>;
  /** A saved model file is in use: its own shape applies, nothing is trained. */
  fromFile: boolean;
  onChange(settings: BertSettings): void;
}

export function SeqBertSettings({ settings, overrides, fromFile, onChange }: Props) {
  const id = useId();
  const [draft, setDraft] = useState<Draft>(() => toDraft(settings));
  // Settings changed from elsewhere (a restored analysis): the fields follow them, unless they
  // already say the same (what was just typed).
  useEffect(() => {
    setDraft((d) => {
      const parsed = parseBertDraft(d, settings.backend);
      return 'settings' in parsed && sameSettings(parsed.settings, settings) ? d : toDraft(settings);
    });
  }, [settings]);

  const parsed = parseBertDraft(draft, settings.backend);
  const problem = 'problem' in parsed ? parsed.problem : null;
  const errorId = `${id}-error`;

  const edit = (field: BertNumberField, text: string) => {
    const next = { ...draft, [field]: text };
    setDraft(next);
    const p = parseBertDraft(next, settings.backend);
    if ('settings' in p && !sameSettings(p.settings, settings)) onChange(p.settings);
  };

  const setBackend = (backend: SeqBertBackendChoice) => {
    // The other fields stay as typed; a valid set is sent with the new backend.
    const p = parseBertDraft(draft, backend);
    onChange('settings' in p ? p.settings : { ...settings, backend });
  };

  const reset = () => {
    const d = defaultBertSettings();
    setDraft(toDraft(d));
    if (!sameSettings(d, settings)) onChange(d);
  };

  return (
    <details className="bert-settings" data-testid="bert-settings" data-valid={problem ? 'false' : 'true'}>
      <summary>Behaviour model settings</summary>
      {fromFile && <p className="hint">A saved model is in use: its own size applies, and nothing is trained.</p>}
      <div className="options-form bert-settings-fields">
        {BERT_NUMBER_FIELDS.map((f) => {
          const meta = FIELDS[f];
          const fieldId = `${id}-${f}`;
          const invalid = problem?.fields.includes(f) ?? false;
          const showsError = problem !== null && problem.fields[0] === f;
          const fromUrl = f === 'epochs' && overrides.bertEpochs !== null;
          return (
            <div className="field" key={f}>
              <label htmlFor={fieldId}>{meta.label}</label>
              <input
                id={fieldId}
                name={`bert-${f}`}
                data-testid={meta.testId}
                type="number"
                inputMode="numeric"
                min={1}
                step={1}
                value={fromUrl ? String(overrides.bertEpochs) : draft[f]}
                disabled={fromUrl}
                aria-invalid={invalid}
                aria-describedby={invalid ? `${errorId} ${fieldId}-hint` : `${fieldId}-hint`}
                onChange={(event) => edit(f, event.currentTarget.value)}
              />
              <span id={`${fieldId}-hint`} className="hint">
                {fromUrl ? `set by the page address (?bert-epochs=${overrides.bertEpochs})` : meta.hint}
              </span>
              {showsError && (
                <span id={errorId} className="field-error" role="alert" data-testid="bert-settings-error">
                  {problem.message} Nothing is trained until this is fixed.
                </span>
              )}
            </div>
          );
        })}
        <div className="field">
          <label htmlFor={`${id}-backend`}>Where it trains</label>
          <select
            id={`${id}-backend`}
            data-testid="bert-backend"
            value={overrides.bertBackend ?? settings.backend}
            disabled={overrides.bertBackend !== null}
            aria-describedby={`${id}-backend-hint`}
            onChange={(event) => setBackend(event.currentTarget.value as SeqBertBackendChoice)}
          >
            {BERT_BACKENDS.map((b) => (
              <option key={b} value={b}>
                {BACKEND_LABELS[b]}
              </option>
            ))}
          </select>
          <span id={`${id}-backend-hint`} className="hint">
            {overrides.bertBackend !== null
              ? `set by the page address (?bert-backend=${overrides.bertBackend})`
              : 'Automatic uses the GPU where there is a real one, else WebAssembly (backend)'}
          </span>
        </div>
      </div>
      {problem && problem.fields.length === 0 && (
        <p id={errorId} className="field-error" role="alert" data-testid="bert-settings-error">
          {problem.message} Nothing is trained until this is fixed.
        </p>
      )}
      <button type="button" data-testid="bert-settings-reset" onClick={reset}>
        Reset to defaults
      </button>
    </details>
  );
}
