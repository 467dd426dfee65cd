import { describe, expect, it } from 'vitest';
import { DEFAULT_SEQUENCE_OPTIONS } from '../../pipeline/types';
import { DEFAULT_CLUSTER_SETTINGS } from '../clusters/clusterSettings';
import { DEFAULT_SETTINGS } from '../encoder/encoderSettings';
import { DEFAULT_GCN_SETTINGS } from '../gcn/gcnSettings';
import { pickLike, restoredSettings, selectionFromIds } from './restore';

const current = { sequence: DEFAULT_SEQUENCE_OPTIONS, encoder: DEFAULT_SETTINGS, gcn: DEFAULT_GCN_SETTINGS, cluster: DEFAULT_CLUSTER_SETTINGS };

describe('restoredSettings', () => {
  it('takes saved values of the right kind over the current ones', () => {
    const { settings, notes } = restoredSettings(current, {
      sequence: { by: 'session', minLength: 3 },
      encoder: { model: 'featurizer', weights: { purchase: 9 } },
      gcn: { enabled: false, epochs: 7 },
      cluster: { kMin: 3, kMax: 6 },
    });
    expect(notes).toEqual([]);
    expect(settings.sequence).toEqual({ ...DEFAULT_SEQUENCE_OPTIONS, by: 'session', minLength: 3 });
    expect(settings.encoder.model).toBe('featurizer');
    // Nested objects merge: the weights not in the file keep their current values.
    expect(settings.encoder.weights).toEqual({ ...DEFAULT_SETTINGS.weights, purchase: 9 });
    expect(settings.gcn).toEqual({ ...DEFAULT_GCN_SETTINGS, enabled: false, epochs: 7 });
    expect(settings.cluster).toEqual({ ...DEFAULT_CLUSTER_SETTINGS, kMin: 3, kMax: 6 });
  });

  it('keeps the current value, with a note, for values of the wrong kind', () => {
    const { settings, notes } = restoredSettings(current, {
      sequence: { by: 'customer', minLength: 'two' },
      encoder: { model: null, halfLifeDays: Number.POSITIVE_INFINITY },
      gcn: { enabled: 'yes' },
      cluster: { kMax: [4] },
    });
    expect(settings.sequence.by).toBe(DEFAULT_SEQUENCE_OPTIONS.by);
    expect(settings.sequence.minLength).toBe(DEFAULT_SEQUENCE_OPTIONS.minLength);
    expect(settings.encoder.model).toBeNull();
    expect(settings.encoder.halfLifeDays).toBe(DEFAULT_SETTINGS.halfLifeDays);
    expect(settings.gcn.enabled).toBe(DEFAULT_GCN_SETTINGS.enabled);
    expect(settings.cluster.kMax).toBe(DEFAULT_CLUSTER_SETTINGS.kMax);
    expect(notes).toHaveLength(5);
    expect(notes.join('\n')).toMatch(/sequence\.minLength .*expected a number, found a string/);
    expect(notes.join('\n')).toMatch(/cluster\.kMax .*found a list/);
    expect(notes.join('\n')).toMatch(/"customer" is neither user nor session/);
  });

  it('ignores keys the settings do not have', () => {
    expect(pickLike({ a: 1 }, { a: 2, b: 3 }, 'x', [])).toEqual({ a: 2 });
  });
});

describe('selectionFromIds', () => {
  it('maps saved ids to point indices, counting the ones not on the map', () => {
    const { selection, missing } = selectionFromIds(['u1', 'u2', 'u3', 'u4'], ['u4', 'u2', 'gone']);
    expect(Array.from(selection)).toEqual([1, 3]);
    expect(missing).toBe(1);
  });
});
