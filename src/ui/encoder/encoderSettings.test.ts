import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_SETTINGS, loadSettings, poolingKey, urlOverrides } from './encoderSettings';

describe('encoder URL overrides', () => {
  it('reads ?encoder= and ?bert-epochs=, ignoring what is not valid', () => {
    expect(urlOverrides('?encoder=seqbert&bert-epochs=2')).toMatchObject({ kind: 'seqbert', bertEpochs: 2 });
    expect(urlOverrides('?encoder=text')).toMatchObject({ kind: 'text', bertEpochs: null });
    expect(urlOverrides('?encoder=gpt&bert-epochs=0')).toMatchObject({ kind: null, bertEpochs: null });
    expect(urlOverrides('?bert-epochs=1.5').bertEpochs).toBeNull();
    expect(urlOverrides('').kind).toBeNull();
    expect(urlOverrides('?bert-backend=wasm').bertBackend).toBe('wasm');
    expect(urlOverrides('?bert-backend=tpu').bertBackend).toBe('auto');
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
