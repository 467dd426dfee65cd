import { describe, expect, it } from 'vitest';
import { DEFAULT_GCN_SETTINGS, gcnRequest, gcnSettingsKey, gcnUrlOverrides } from './gcnSettings';

describe('graph network settings', () => {
  it('reads ?gcn=off|on and ?gcn-epochs=N from the URL, ignoring bad values', () => {
    expect(gcnUrlOverrides('?gcn=off&gcn-epochs=5')).toEqual({ enabled: false, epochs: 5 });
    expect(gcnUrlOverrides('?gcn=on')).toEqual({ enabled: true });
    expect(gcnUrlOverrides('?gcn-early-stop=off')).toEqual({ earlyStopping: false });
    expect(gcnUrlOverrides('?gcn=maybe&gcn-epochs=0')).toEqual({});
    expect(gcnUrlOverrides('?gcn-epochs=2.5')).toEqual({});
    expect(gcnUrlOverrides('?gcn-device=gpu')).toEqual({ device: 'gpu' });
    expect(gcnUrlOverrides('?gcn-device=tpu')).toEqual({});
  });

  it('turns settings into a worker request; the on/off switch does not change the key', () => {
    const r = gcnRequest({ ...DEFAULT_GCN_SETTINGS, transitions: false, halfLifeDays: 7 });
    expect(r).toEqual({
      epochs: 200,
      earlyStopping: true,
      device: 'auto',
      graph: { userItem: true, transitions: false, selfLoops: true, transitionWeight: 1, halfLifeDays: 7, transitionMaxGapMinutes: 30 },
    });
    expect(gcnSettingsKey({ ...DEFAULT_GCN_SETTINGS, enabled: false })).toBe(gcnSettingsKey(DEFAULT_GCN_SETTINGS));
    expect(gcnSettingsKey({ ...DEFAULT_GCN_SETTINGS, epochs: 5 })).not.toBe(gcnSettingsKey(DEFAULT_GCN_SETTINGS));
    // Another device retrains: its float32 sums give (slightly) other vectors.
    expect(gcnSettingsKey({ ...DEFAULT_GCN_SETTINGS, device: 'cpu' })).not.toBe(gcnSettingsKey(DEFAULT_GCN_SETTINGS));
  });
});
