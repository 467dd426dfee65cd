import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_SEQBERT_OPTIONS } from '../../pipeline/seqbert/options';
import {
  checkBertSettings,
  DEFAULT_SETTINGS,
  defaultBertSettings,
  loadSettings,
  parseBertDraft,
  poolingKey,
  saveSettings,
  seqbertRequest,
  urlOverrides,
  WEIGHT_TYPES,
  weightTypesIn,
} from './encoderSettings';

describe('encoder URL overrides', () => {
  it('reads ?encoder= and ?bert-epochs=, ignoring what is not valid', () => {
    expect(urlOverrides('?encoder=seqbert&bert-epochs=2')).toMatchObject({ kind: 'seqbert', bertEpochs: 2 });
    expect(urlOverrides('?encoder=text')).toMatchObject({ kind: 'text', bertEpochs: null });
    expect(urlOverrides('?encoder=gpt&bert-epochs=0')).toMatchObject({ kind: null, bertEpochs: null });
    expect(urlOverrides('?bert-epochs=1.5').bertEpochs).toBeNull();
    expect(urlOverrides('').kind).toBeNull();
    expect(urlOverrides('?bert-backend=wasm').bertBackend).toBe('wasm');
    // Not named (or not a backend): the settings decide, so an explicit ?bert-backend=auto still wins.
    expect(urlOverrides('?bert-backend=tpu').bertBackend).toBeNull();
    expect(urlOverrides('').bertBackend).toBeNull();
    expect(urlOverrides('?bert-backend=auto').bertBackend).toBe('auto');
  });

  it('makes the behaviour model the default and gives it its own key', () => {
    expect(DEFAULT_SETTINGS.kind).toBe('seqbert');
    const text = poolingKey({ ...DEFAULT_SETTINGS, kind: 'text' });
    const bert = poolingKey(DEFAULT_SETTINGS);
    expect(bert).not.toBe(text);
    expect(poolingKey({ ...DEFAULT_SETTINGS, kind: 'seqbert', halfLifeDays: DEFAULT_SETTINGS.halfLifeDays + 1 })).not.toBe(bert);
  });
});

describe('remembered encoder settings', () => {
  /** A localStorage holding `saved` under the encoder's key (Node has none). */
  function remember(saved: object | null): void {
    const items = new Map<string, string>(saved ? [['seqlens.encoder.v1', JSON.stringify(saved)]] : []);
    vi.stubGlobal('localStorage', { getItem: (k: string) => items.get(k) ?? null, setItem: (k: string, v: string) => items.set(k, v) });
  }
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('a fresh visitor gets the behaviour model; one who chose the item titles keeps them', () => {
    remember(null);
    expect(loadSettings().kind).toBe('seqbert');
    remember({ kind: 'text', model: 'featurizer', mode: 'items', halfLifeDays: 7 });
    expect(loadSettings()).toMatchObject({ kind: 'text', model: 'featurizer', halfLifeDays: 7 });
    remember({ kind: 'seqbert' });
    expect(loadSettings().kind).toBe('seqbert');
  });

  it('settings kept from before the choice existed (no kind) or of an unknown kind get the default', () => {
    remember({ model: null, mode: 'items', halfLifeDays: 14 });
    expect(loadSettings()).toMatchObject({ kind: 'seqbert', halfLifeDays: 14 });
    remember({ kind: 'gpt' });
    expect(loadSettings().kind).toBe('seqbert');
  });
});

describe('behaviour model settings', () => {
  function remember(saved: object | null): Map<string, string> {
    const items = new Map<string, string>(saved ? [['seqlens.encoder.v1', JSON.stringify(saved)]] : []);
    vi.stubGlobal('localStorage', { getItem: (k: string) => items.get(k) ?? null, setItem: (k: string, v: string) => items.set(k, v) });
    return items;
  }
  afterEach(() => {
    vi.unstubAllGlobals();
  });
  const draft = (o: Partial<Record<'maxLen' | 'epochs' | 'layers' | 'hidden' | 'heads', string>>) => ({
    maxLen: '50',
    epochs: '10',
    layers: '2',
    hidden: '64',
    heads: '2',
    ...o,
  });

  it('defaults to the stage’s own options', () => {
    const d = DEFAULT_SEQBERT_OPTIONS;
    expect(defaultBertSettings()).toEqual({ maxLen: d.maxLen, epochs: d.epochs, layers: d.layers, hidden: d.hidden, heads: d.heads, backend: d.backend });
    remember(null);
    expect(loadSettings().bert).toEqual(defaultBertSettings());
  });

  it('saves and loads them with the other encoder settings', () => {
    const items = remember(null);
    const bert = { maxLen: 20, epochs: 3, layers: 1, hidden: 32, heads: 4, backend: 'wasm' as const };
    saveSettings({ ...DEFAULT_SETTINGS, bert }, false);
    expect(JSON.parse(items.get('seqlens.encoder.v1') ?? '{}').bert).toEqual(bert);
    expect(loadSettings().bert).toEqual(bert);
  });

  it('remembered settings the stage refuses, or of the wrong kind, give way to the defaults', () => {
    // Width not divisible by the heads: the whole set is dropped (no training would ever start).
    remember({ bert: { layers: 1, hidden: 30, heads: 4 } });
    expect(loadSettings().bert).toEqual(defaultBertSettings());
    remember({ bert: { layers: 0 } });
    expect(loadSettings().bert).toEqual(defaultBertSettings());
    // A value of the wrong kind is left at its default; the rest is kept.
    remember({ bert: { layers: '3', hidden: 32, backend: 'tpu' } });
    expect(loadSettings().bert).toEqual({ ...defaultBertSettings(), hidden: 32 });
    remember({ bert: 'big' });
    expect(loadSettings().bert).toEqual(defaultBertSettings());
  });

  it('the URL’s epochs and backend win over the settings; the rest of the settings go to the worker', () => {
    const bert = { maxLen: 20, epochs: 3, layers: 1, hidden: 32, heads: 4, backend: 'cpu' as const };
    expect(seqbertRequest(bert, urlOverrides(''))).toEqual({ maxLen: 20, epochs: 3, layers: 1, hidden: 32, heads: 4, backend: 'cpu' });
    expect(seqbertRequest(bert, urlOverrides('?bert-epochs=1&bert-backend=wasm'))).toMatchObject({ epochs: 1, backend: 'wasm', layers: 1, hidden: 32 });
    expect(seqbertRequest(bert, urlOverrides('?bert-backend=auto')).backend).toBe('auto');
  });

  it('bad values get the stage’s message and name the fields to fix', () => {
    expect(checkBertSettings(defaultBertSettings())).toBeNull();
    const divisible = checkBertSettings({ ...defaultBertSettings(), hidden: 30, heads: 4 });
    expect(divisible?.message).toBe('The hidden size (30) must be divisible by the number of attention heads (4).');
    expect(divisible?.fields).toEqual(['hidden', 'heads']);
    expect(checkBertSettings({ ...defaultBertSettings(), layers: 0 })).toEqual({
      message: 'The behaviour BERT needs at least 1 layer (got 0).',
      fields: ['layers'],
    });
    expect(checkBertSettings({ ...defaultBertSettings(), maxLen: 0 })?.fields).toEqual(['maxLen']);
    expect(checkBertSettings({ ...defaultBertSettings(), epochs: 0 })?.fields).toEqual(['epochs']);
    expect(checkBertSettings({ ...defaultBertSettings(), layers: 1.5 })?.message).toMatch(/at least 1 layer/);
  });

  it('reads the typed text: empty or non-numeric first, then the stage', () => {
    expect(parseBertDraft(draft({ layers: '1', hidden: '32' }), 'wasm')).toEqual({
      settings: { maxLen: 50, epochs: 10, layers: 1, hidden: 32, heads: 2, backend: 'wasm' },
    });
    expect(parseBertDraft(draft({ heads: '' }), 'auto')).toEqual({ problem: { message: 'Enter a whole number.', fields: ['heads'] } });
    expect(parseBertDraft(draft({ maxLen: 'abc' }), 'auto')).toMatchObject({ problem: { fields: ['maxLen'] } });
    expect(parseBertDraft(draft({ hidden: '30', heads: '4' }), 'auto')).toMatchObject({ problem: { message: /divisible/, fields: ['hidden', 'heads'] } });
  });
});

describe('event-type weights offered', () => {
  it('only for the types the log has, other standing for the custom types', () => {
    // Invoice lines: purchases and returns only.
    expect(weightTypesIn({ purchase: 120, return: 4 })).toEqual(['purchase', 'return']);
    expect(weightTypesIn({ view: 10, cart: 0, purchase: 2, wishlist: 3 })).toEqual(['view', 'purchase', 'other']);
    // Unknown (an older report): every weight.
    expect(weightTypesIn(undefined)).toEqual([...WEIGHT_TYPES]);
  });
});
