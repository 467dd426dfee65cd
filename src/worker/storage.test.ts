import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it } from 'vitest';
import { DB_NAME, EMBEDDINGS_STORE, openDb } from './idb';
import { putInstalled } from './modelStore';
import { EMBEDDINGS_ID, loadPseudonymSecret, MODELS_ID, PRIVACY_DB, PSEUDONYM_ID, storageReport, valueBytes, wipeStorage, type MemoryStore } from './storage';

async function names(): Promise<string[]> {
  return (await indexedDB.databases()).map((d) => d.name ?? '').sort();
}

async function putVector(key: string, floats: number): Promise<void> {
  const db = await openDb();
  const tx = db.transaction(EMBEDDINGS_STORE, 'readwrite');
  tx.objectStore(EMBEDDINGS_STORE).put(new Float32Array(floats).buffer, key);
  await new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
  });
}

function memory(): MemoryStore & { entries: number } {
  const m = {
    id: 'memory:test',
    label: 'Test vectors',
    entries: 3,
    items: () => m.entries,
    bytes: () => null,
    clear: () => {
      m.entries = 0;
    },
  };
  return m;
}

beforeEach(async () => {
  await wipeStorage('all');
});

describe('valueBytes', () => {
  it('counts binary exactly and text by length', () => {
    expect(valueBytes(new ArrayBuffer(40))).toBe(40);
    expect(valueBytes(new Float32Array(10))).toBe(40);
    expect(valueBytes(new Blob(['abcde']))).toBe(5);
    expect(valueBytes('abc')).toBe(3);
    // {"a":"xy"}: key 1 + 3, value 2, braces 2.
    expect(valueBytes({ a: 'xy' })).toBe(8);
    expect(valueBytes({ files: { 'x.onnx': new Blob([new Uint8Array(1000)]) } })).toBeGreaterThanOrEqual(1000);
  });
});

describe('the pseudonymisation key', () => {
  it('is made once, kept, and listed with its size', async () => {
    const a = await loadPseudonymSecret();
    const b = await loadPseudonymSecret();
    expect(a).toHaveLength(32);
    expect(Array.from(b)).toEqual(Array.from(a));
    const report = await storageReport();
    const key = report.items.find((x) => x.id === PSEUDONYM_ID);
    expect(key).toMatchObject({ label: 'Pseudonymisation key', items: 1, kind: 'indexeddb' });
    expect(key!.bytes).toBeGreaterThanOrEqual(32);
  });

  it('is new after its store is cleared', async () => {
    const a = await loadPseudonymSecret();
    const report = await wipeStorage({ ids: [PSEUDONYM_ID] });
    expect(report.items.find((x) => x.id === PSEUDONYM_ID)?.items).toBe(0);
    const b = await loadPseudonymSecret();
    expect(Array.from(b)).not.toEqual(Array.from(a));
  });
});

describe('the inventory and the wipe', () => {
  it('lists every store with counts and summed sizes, then deletes all databases and memory caches', async () => {
    await putVector('m#1', 384);
    await putVector('m#2', 384);
    await putInstalled({
      id: 'local/x',
      label: 'X',
      dtype: 'q8',
      folder: 'x',
      files: { 'onnx/model_quantized.onnx': new Blob([new Uint8Array(5000)]) },
      bytes: 5000,
      installedAt: '2026-01-01',
      recognised: false,
    });
    await loadPseudonymSecret();
    const mem = memory();
    const report = await storageReport([mem]);
    const byId = new Map(report.items.map((x) => [x.id, x]));
    expect(byId.get(EMBEDDINGS_ID)).toMatchObject({ items: 2, label: 'Embedding cache (model vectors)' });
    // Two vectors of 384 floats, plus their short keys.
    expect(byId.get(EMBEDDINGS_ID)!.bytes).toBeGreaterThanOrEqual(2 * 384 * 4);
    expect(byId.get(EMBEDDINGS_ID)!.bytes).toBeLessThan(2 * 384 * 4 + 100);
    expect(byId.get(MODELS_ID)).toMatchObject({ items: 1, label: 'Installed models' });
    expect(byId.get(MODELS_ID)!.bytes).toBeGreaterThanOrEqual(5000);
    expect(byId.get('memory:test')).toMatchObject({ items: 3, kind: 'memory' });
    expect(await names()).toEqual([DB_NAME, PRIVACY_DB]);

    const after = await wipeStorage('all', [mem]);
    expect(after.items.filter((x) => x.kind !== 'memory')).toEqual([]);
    expect(after.items.find((x) => x.id === 'memory:test')?.items).toBe(0);
    expect(await names()).toEqual([]);
    // The app's own opener makes its stores again afterwards (its connection closed on the deletion).
    await putVector('m#3', 4);
    expect((await storageReport()).items.find((x) => x.id === EMBEDDINGS_ID)?.items).toBe(1);
  });

  it('clears one store and leaves the others', async () => {
    await putVector('m#1', 8);
    await loadPseudonymSecret();
    const report = await wipeStorage({ ids: [EMBEDDINGS_ID] });
    const byId = new Map(report.items.map((x) => [x.id, x]));
    expect(byId.get(EMBEDDINGS_ID)?.items).toBe(0);
    expect(byId.get(PSEUDONYM_ID)?.items).toBe(1);
  });

  it('does not create a database it only looks at', async () => {
    expect(await names()).toEqual([]);
    await storageReport();
    expect(await names()).toEqual([]);
  });
});
