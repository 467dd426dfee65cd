import { afterEach, describe, expect, it, vi } from 'vitest';
import { clampReadLimit, loadReadLimit, READ_LIMIT_DEFAULT, READ_LIMIT_MAX, READ_LIMIT_MIN, saveReadLimit } from './readLimit';

function fakeStorage(): Storage {
  const m = new Map<string, string>();
  return {
    get length() {
      return m.size;
    },
    clear: () => m.clear(),
    getItem: (k) => m.get(k) ?? null,
    key: (i) => [...m.keys()][i] ?? null,
    removeItem: (k) => void m.delete(k),
    setItem: (k, v) => void m.set(k, String(v)),
  };
}

describe('reading limit', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('keeps limits in range and whole', () => {
    expect(clampReadLimit(5)).toBe(READ_LIMIT_MIN);
    expect(clampReadLimit(1e12)).toBe(READ_LIMIT_MAX);
    expect(clampReadLimit(2500.4)).toBe(2500);
    expect(clampReadLimit(Number.NaN)).toBe(READ_LIMIT_DEFAULT);
  });

  it('remembers a limit set in this browser and forgets it when set back to the default', () => {
    const storage = fakeStorage();
    vi.stubGlobal('localStorage', storage);
    expect(loadReadLimit()).toBe(READ_LIMIT_DEFAULT);
    expect(saveReadLimit(2_000_000)).toBe(2_000_000);
    expect(loadReadLimit()).toBe(2_000_000);
    saveReadLimit(READ_LIMIT_DEFAULT);
    expect(storage.length).toBe(0);
    storage.setItem('seqlens.readLimit', 'lots');
    expect(loadReadLimit()).toBe(READ_LIMIT_DEFAULT);
    storage.setItem('seqlens.readLimit', '1e15');
    expect(loadReadLimit()).toBe(READ_LIMIT_MAX);
  });
});
