import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  fileFingerprint,
  forgetAnalysis,
  getAnalysis,
  getResult,
  listAnalyses,
  MAX_ANALYSES,
  putResult,
  saveAnalysis,
  stableKey,
  updateSavedServiceItems,
  type SavedAnalysis,
} from './analysisStore';

function analysis(id: string, savedAt: string): SavedAnalysis {
  return { id, name: `${id}.csv`, bytes: 10, file: null, demo: false, mapping: { user: 0, item: 1 }, sequence: { by: 'user' }, rows: 5, sequences: 2, savedAt };
}

afterEach(() => vi.restoreAllMocks());

describe('keys', () => {
  it('are the same for the same settings in any key order, and differ for any changed value', async () => {
    const a = await stableKey('root', { kMin: 2, kMax: 15, nested: { x: 1, y: [1, 2] } });
    expect(await stableKey('root', { nested: { y: [1, 2], x: 1 }, kMax: 15, kMin: 2 })).toBe(a);
    expect(await stableKey('root', { kMin: 2, kMax: 14, nested: { x: 1, y: [1, 2] } })).not.toBe(a);
    expect(await stableKey('root', { kMin: 2, kMax: 15, nested: { x: 1, y: [2, 1] } })).not.toBe(a);
    expect(await stableKey('other', { kMin: 2, kMax: 15, nested: { x: 1, y: [1, 2] } })).not.toBe(a);
  });

  it('fingerprint a file by name, size, date and its head, middle and tail', async () => {
    const size = 5 << 20;
    const bytes = new Uint8Array(size).map((_, i) => i % 251);
    const file = (b: Uint8Array<ArrayBuffer>, name = 'log.csv', lastModified = 1) => new File([b], name, { lastModified });
    const base = await fileFingerprint(file(bytes), 'log.csv');
    expect(await fileFingerprint(file(bytes.slice()), 'log.csv')).toBe(base);
    for (const at of [10, size >> 1, size - 10]) {
      const changed = bytes.slice();
      changed[at] ^= 1;
      expect(await fileFingerprint(file(changed), 'log.csv'), `byte ${at}`).not.toBe(base);
    }
    expect(await fileFingerprint(file(bytes, 'log.csv', 2), 'log.csv')).not.toBe(base);
    expect(await fileFingerprint(file(bytes), 'other.csv')).not.toBe(base);
  });
});

describe('saved results', () => {
  it('round-trip typed arrays under their key', async () => {
    const value = { labels: [Int32Array.from([0, 1, 1])], coords: Float32Array.from([0.5, -1]) };
    expect(await putResult('k1', 'sweep', 'a1', value)).toBeNull();
    const back = await getResult<typeof value>('k1');
    expect(Array.from(back!.labels[0])).toEqual([0, 1, 1]);
    expect(back!.coords).toBeInstanceOf(Float32Array);
    expect(await getResult('missing')).toBeNull();
  });

  it('keep the newest analyses only, and forgetting one forgets its results', async () => {
    for (let i = 0; i < MAX_ANALYSES + 2; i++) {
      expect(await saveAnalysis(analysis(`log${i}`, `2026-01-${String(i + 1).padStart(2, '0')}T00:00:00Z`))).toBeNull();
      await putResult(`r${i}`, 'map', `log${i}`, { i });
    }
    const kept = await listAnalyses();
    expect(kept.map((a) => a.id)).toEqual(Array.from({ length: MAX_ANALYSES }, (_, j) => `log${MAX_ANALYSES + 1 - j}`));
    expect(kept[0].fileKept).toBe(false);
    // The evicted ones took their results with them.
    expect(await getResult('r0')).toBeNull();
    expect(await getResult('r1')).toBeNull();
    expect(await getResult('r2')).toEqual({ i: 2 });
    await forgetAnalysis('log2');
    expect(await getResult('r2')).toBeNull();
    expect(await getResult('r3')).toEqual({ i: 3 });
    expect((await listAnalyses()).some((a) => a.id === 'log2')).toBe(false);
  });

  it('a full quota gives a message to show and leaves what was saved intact', async () => {
    await putResult('before', 'gcn', 'q', { v: Float32Array.from([1, 2, 3]) });
    const quota = () => {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    };
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(quota);
    const message = await putResult('after', 'gcn', 'q', { v: new Float32Array(10) });
    expect(message).toMatch(/storage for this site is full/);
    expect(message).toMatch(/nothing saved before was changed/);
    expect(await saveAnalysis(analysis('q', '2026-02-01T00:00:00Z'))).toMatch(/storage for this site is full/);
    vi.restoreAllMocks();
    expect(Array.from((await getResult<{ v: Float32Array }>('before'))!.v)).toEqual([1, 2, 3]);
    expect(await getResult('after')).toBeNull();
    expect((await listAnalyses()).some((a) => a.id === 'q')).toBe(false);
  });
});

describe('service-line choices', () => {
  it('are kept with a saved log and changed in place, and change nothing for a log not saved', async () => {
    await saveAnalysis({ ...analysis('svc', '2024-01-01T00:00:00Z'), serviceItems: { mode: 'auto', service: [], product: [] } });
    expect(await updateSavedServiceItems('svc', { mode: 'off', service: ['POST'], product: ['PADS'] })).toBeNull();
    const rec = await getAnalysis('svc');
    expect(rec?.serviceItems).toEqual({ mode: 'off', service: ['POST'], product: ['PADS'] });
    // The rest of the record is untouched.
    expect(rec?.mapping).toEqual({ user: 0, item: 1 });
    expect(await updateSavedServiceItems('nobody', { mode: 'auto', service: ['X'], product: [] })).toBeNull();
    expect(await getAnalysis('nobody')).toBeNull();
    await forgetAnalysis('svc');
  });
});
