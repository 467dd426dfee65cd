import { describe, expect, it } from 'vitest';
import { type AnalysisState, parseState, serializeState, STATE_FORMAT, StateFileError } from './index';

function state(): AnalysisState {
  return {
    format: STATE_FORMAT,
    version: 1,
    savedAt: '2026-11-28T03:00:00.000Z',
    file: { name: 'retail.csv', bytes: 1234, rows: 99 },
    settings: {
      sequence: { by: 'user', minLength: 2 },
      encoder: { kind: 'featurizer', weights: { purchase: 5 } },
      gcn: { epochs: 20 },
      cluster: { kMin: 2, kMax: 8 },
      map: { seed: 0 },
    },
    k: 4,
    selection: ['u1', 'has "quote"', '=cmd'],
    hiddenClusters: [0, 3],
    colorBy: 'cluster',
  };
}

/** The state as loose JSON, with `edit` applied, serialised. */
// biome-ignore lint/suspicious/noExplicitAny: the cases edit arbitrary paths of a parsed JSON document
function edited(edit: (doc: Record<string, any>) => void): string {
  const doc = JSON.parse(serializeState(state()));
  edit(doc);
  return JSON.stringify(doc);
}

function errorOf(text: string): StateFileError {
  try {
    parseState(text);
  } catch (e) {
    expect(e).toBeInstanceOf(StateFileError);
    return e as StateFileError;
  }
  throw new Error('parseState accepted the text');
}

describe('state file', () => {
  it('round-trips through pretty JSON', () => {
    const text = serializeState(state());
    expect(text).toContain('\n  "format": "seqlens-analysis",\n');
    expect(text.endsWith('\n')).toBe(true);
    expect(parseState(text)).toEqual(state());
  });

  it('accepts null bytes and k, a byte-order mark, and drops unknown fields', () => {
    const s = parseState(
      '\ufeff' +
        edited((d) => {
          d.file.bytes = null;
          d.k = null;
          d.extra = 'from a later patch';
        }),
    );
    expect(s.file.bytes).toBeNull();
    expect(s.k).toBeNull();
    expect('extra' in s).toBe(false);
  });

  it('says when the file is not a SeqLens analysis', () => {
    expect(errorOf('not json').message).toMatch(/not a SeqLens analysis file: it is not JSON/);
    expect(errorOf('[1,2]').message).toMatch(/not a SeqLens analysis file/);
    expect(errorOf('null').message).toMatch(/not a SeqLens analysis file/);
    expect(errorOf(edited((d) => (d.format = 'something-else'))).message).toMatch(/not a SeqLens analysis file/);
    expect(errorOf(edited((d) => delete d.format)).field).toBeNull();
  });

  it('says when a newer version saved it', () => {
    const e = errorOf(edited((d) => (d.version = 2)));
    expect(e.message).toMatch(/saved by a newer version of SeqLens/);
    expect(e.message).toMatch(/version 2/);
    expect(e.field).toBe('version');
    expect(errorOf(edited((d) => (d.version = '1'))).field).toBe('version');
    expect(errorOf(edited((d) => (d.version = 0))).field).toBe('version');
  });

  // Each case: the edit, the field the error must name.
  // biome-ignore lint/suspicious/noExplicitAny: as in edited()
  const cases: [string, (d: Record<string, any>) => void, string][] = [
    ['savedAt missing', (d) => delete d.savedAt, 'savedAt'],
    ['savedAt not a date', (d) => (d.savedAt = 'yesterday'), 'savedAt'],
    ['file missing', (d) => delete d.file, 'file'],
    ['file an array', (d) => (d.file = []), 'file'],
    ['file.name a number', (d) => (d.file.name = 5), 'file.name'],
    ['file.bytes negative', (d) => (d.file.bytes = -1), 'file.bytes'],
    ['file.bytes text', (d) => (d.file.bytes = '12'), 'file.bytes'],
    ['file.rows fractional', (d) => (d.file.rows = 1.5), 'file.rows'],
    ['file.rows null', (d) => (d.file.rows = null), 'file.rows'],
    ['settings missing', (d) => delete d.settings, 'settings'],
    ['settings.sequence missing', (d) => delete d.settings.sequence, 'settings.sequence'],
    ['settings.encoder null', (d) => (d.settings.encoder = null), 'settings.encoder'],
    ['settings.gcn a list', (d) => (d.settings.gcn = [1]), 'settings.gcn'],
    ['settings.cluster text', (d) => (d.settings.cluster = 'x'), 'settings.cluster'],
    ['settings.map missing', (d) => delete d.settings.map, 'settings.map'],
    ['k of 1', (d) => (d.k = 1), 'k'],
    ['k fractional', (d) => (d.k = 2.5), 'k'],
    ['k missing', (d) => delete d.k, 'k'],
    ['selection not a list', (d) => (d.selection = 'u1'), 'selection'],
    ['selection holds a number', (d) => (d.selection = ['u1', 7]), 'selection[1]'],
    ['hiddenClusters missing', (d) => delete d.hiddenClusters, 'hiddenClusters'],
    ['hiddenClusters negative', (d) => (d.hiddenClusters = [-1]), 'hiddenClusters[0]'],
    ['hiddenClusters at or above k', (d) => (d.hiddenClusters = [1, 4]), 'hiddenClusters[1]'],
    ['colorBy missing', (d) => delete d.colorBy, 'colorBy'],
    ['colorBy a number', (d) => (d.colorBy = 3), 'colorBy'],
  ];
  it.each(cases)('names the field: %s', (_name, edit, field) => {
    const e = errorOf(edited(edit));
    expect(e.field).toBe(field);
    expect(e.message).toContain(`"${field}"`);
    expect(e.message).toMatch(/should be .+, but (it is missing|found .+)\./);
  });
});

describe('service-line choices in the state file', () => {
  it('round-trip, are optional, and a contradiction is named', () => {
    const withChoices = { ...state(), serviceItems: { mode: 'off' as const, service: ['POST'], product: ['PADS'] } };
    expect(parseState(serializeState(withChoices)).serviceItems).toEqual(withChoices.serviceItems);
    expect(parseState(serializeState(state())).serviceItems).toBeUndefined();
    const e = errorOf(edited((doc) => (doc.serviceItems = { service: ['A'], product: ['A'] })));
    expect(e.field).toBe('serviceItems');
    expect(e.message).toMatch(/both a service line and a product/);
  });
});
