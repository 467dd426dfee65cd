import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, poolingKey, urlOverrides } from './encoderSettings';

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

  it('keeps the text encoder the default and gives the behaviour model its own key', () => {
    expect(DEFAULT_SETTINGS.kind).toBe('text');
    const text = poolingKey(DEFAULT_SETTINGS);
    const bert = poolingKey({ ...DEFAULT_SETTINGS, kind: 'seqbert' });
    expect(bert).not.toBe(text);
    expect(poolingKey({ ...DEFAULT_SETTINGS, kind: 'seqbert', halfLifeDays: DEFAULT_SETTINGS.halfLifeDays + 1 })).not.toBe(bert);
  });
});
