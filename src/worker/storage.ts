// What SeqLens keeps in this browser, seen from the analysis worker: every IndexedDB database of
// the origin (models, embedding vectors, the pseudonymisation key, and whatever later features
// add), Cache Storage (a service worker's 'seqlens-*' caches, say) and the origin private file
// system, with item counts and sizes, and the wipe of any of them. The page adds its own
// localStorage keys (the worker cannot see them). Everything of this origin is SeqLens's, so the
// inventory walks all of it rather than a list of names that a new feature could outgrow.

import { newPseudonymSecret, PSEUDONYM_SECRET_BYTES } from '../pipeline/export';
import { ANALYSES_DB_NAME, ANALYSES_STORE, RESULTS_STORE } from './analysisStore';
import { DB_NAME, dbOpener, done, EMBEDDINGS_STORE, MODELS_STORE, request } from './idb';
import type { StorageReport, StorageWipe, StoredItem } from './protocol';

// ---- the pseudonymisation key ----

/** A database of its own, so that the main one ('seqlens') needs no schema upgrade for it. */
export const PRIVACY_DB = 'seqlens-privacy';
export const KEYS_STORE = 'keys';
/** The epsilon spent on each log by noised exports, keyed by the log's identity (fileFingerprint). */
export const BUDGET_STORE = 'budget';
const PSEUDONYM_KEY = 'pseudonym-secret';

export const EMBEDDINGS_ID = storeId(DB_NAME, EMBEDDINGS_STORE);
export const MODELS_ID = storeId(DB_NAME, MODELS_STORE);
export const PSEUDONYM_ID = storeId(PRIVACY_DB, KEYS_STORE);
export const BUDGET_ID = storeId(PRIVACY_DB, BUDGET_STORE);

/** Labels of the stores SeqLens knows; others are listed by database and store name. */
const LABELS: Record<string, string> = {
  [MODELS_ID]: 'Installed models',
  [EMBEDDINGS_ID]: 'Embedding cache (model vectors)',
  [PSEUDONYM_ID]: 'Pseudonymisation key',
  [BUDGET_ID]: 'Privacy budget spent per log (epsilon of noised exports)',
  [storeId(ANALYSES_DB_NAME, ANALYSES_STORE)]: 'Saved analyses',
  [storeId(ANALYSES_DB_NAME, RESULTS_STORE)]: 'Saved analysis results (vectors, clusters, map)',
};

function storeId(db: string, store: string): string {
  return `idb:${db}/${store}`;
}

function hasIndexedDb(): boolean {
  return typeof indexedDB !== 'undefined';
}

/** The privacy database (created on first use); its connection closes itself when a wipe deletes it. */
const openPrivacyDb = dbOpener(
  PRIVACY_DB,
  2,
  (db) => {
    if (!db.objectStoreNames.contains(KEYS_STORE)) db.createObjectStore(KEYS_STORE);
    // Version 2: the running total of epsilon per log.
    if (!db.objectStoreNames.contains(BUDGET_STORE)) db.createObjectStore(BUDGET_STORE);
  },
  'The key database is blocked by another SeqLens tab; close it and try again.',
);

/**
 * This browser's pseudonymisation secret (32 random bytes), made on first use and kept in
 * IndexedDB, so that a user gets the same pseudonym in every export made here until it is deleted.
 * Never leaves the worker: exports carry only HMACs of ids under it.
 */
export async function loadPseudonymSecret(): Promise<Uint8Array> {
  const db = await openPrivacyDb();
  const tx = db.transaction(KEYS_STORE, 'readwrite');
  const store = tx.objectStore(KEYS_STORE);
  const found: unknown = await request(store.get(PSEUDONYM_KEY));
  let secret: Uint8Array;
  if (found instanceof ArrayBuffer && found.byteLength === PSEUDONYM_SECRET_BYTES) {
    secret = new Uint8Array(found);
  } else {
    secret = newPseudonymSecret();
    store.put(secret.buffer.slice(0), PSEUDONYM_KEY);
  }
  await done(tx);
  return secret;
}

// ---- the privacy budget ----

/** What noised exports of one log have spent: by sequential composition, their epsilons add up. */
export interface PrivacySpent {
  /** The log's identity (fileFingerprint). */
  id: string;
  name: string;
  /** Sum of the epsilons of every noised export of this log made in this browser. */
  spent: number;
  exports: number;
  last: string;
}

function asSpent(v: unknown): PrivacySpent | null {
  if (!v || typeof v !== 'object') return null;
  const r = v as Partial<PrivacySpent>;
  if (typeof r.id !== 'string' || typeof r.spent !== 'number' || !Number.isFinite(r.spent) || typeof r.exports !== 'number') return null;
  return { id: r.id, name: typeof r.name === 'string' ? r.name : '', spent: r.spent, exports: r.exports, last: typeof r.last === 'string' ? r.last : '' };
}

/** Adds one noised export's epsilon to the log's running total (read and written in one transaction) and returns the total. */
export async function recordPrivacySpend(id: string, name: string, epsilon: number): Promise<PrivacySpent> {
  const db = await openPrivacyDb();
  const tx = db.transaction(BUDGET_STORE, 'readwrite');
  const store = tx.objectStore(BUDGET_STORE);
  const before = asSpent(await request(store.get(id)));
  const next: PrivacySpent = { id, name, spent: (before?.spent ?? 0) + epsilon, exports: (before?.exports ?? 0) + 1, last: new Date().toISOString() };
  store.put(next, id);
  await done(tx);
  return next;
}

/** The log's running total, or null when nothing noised was exported from it here. */
export async function privacySpent(id: string): Promise<PrivacySpent | null> {
  // Reading must not make the database: after a wipe, the panel asks again and nothing may reappear.
  if (!hasIndexedDb()) return null;
  if (typeof indexedDB.databases === 'function' && !(await indexedDB.databases()).some((d) => d.name === PRIVACY_DB)) return null;
  const db = await openPrivacyDb();
  const tx = db.transaction(BUDGET_STORE, 'readonly');
  const found = asSpent(await request(tx.objectStore(BUDGET_STORE).get(id)));
  await done(tx);
  return found;
}

// ---- sizes ----

/** Bytes a stored value takes, roughly: binary sizes exactly, text and numbers as their JSON would. */
export function valueBytes(v: unknown, depth = 0): number {
  if (v === null || v === undefined) return 0;
  if (typeof Blob !== 'undefined' && v instanceof Blob) return v.size;
  if (v instanceof ArrayBuffer) return v.byteLength;
  if (ArrayBuffer.isView(v)) return v.byteLength;
  if (typeof v === 'string') return v.length;
  if (typeof v === 'number' || typeof v === 'bigint') return 8;
  if (typeof v === 'boolean') return 4;
  if (depth > 32 || typeof v !== 'object') return 0;
  let sum = 0;
  if (Array.isArray(v)) {
    for (const x of v) sum += valueBytes(x, depth + 1) + 1;
    return sum + 2;
  }
  if (v instanceof Map) {
    for (const [k, x] of v) sum += valueBytes(k, depth + 1) + valueBytes(x, depth + 1);
    return sum;
  }
  if (v instanceof Date) return 24;
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) sum += k.length + 3 + valueBytes(x, depth + 1);
  return sum + 2;
}

// ---- inventory ----

/** Names of the origin's databases; where indexedDB.databases() is missing, the ones SeqLens makes. */
async function databaseNames(): Promise<string[]> {
  if (!hasIndexedDb()) return [];
  if (typeof indexedDB.databases === 'function') {
    const list = await indexedDB.databases();
    return list.map((d) => d.name).filter((n): n is string => typeof n === 'string');
  }
  return [DB_NAME, PRIVACY_DB];
}

/**
 * Opens an existing database as it is. Opening without a version creates a missing database at
 * version 1 with no stores, which would then keep SeqLens's own opener from making its stores:
 * such a fresh, empty database is deleted again.
 */
function openExisting(name: string): Promise<IDBDatabase | null> {
  return new Promise((resolve, reject) => {
    let created = false;
    const r = indexedDB.open(name);
    r.onupgradeneeded = () => {
      created = true;
    };
    r.onsuccess = () => {
      const db = r.result;
      if (created) {
        db.close();
        indexedDB.deleteDatabase(name);
        resolve(null);
        return;
      }
      db.onversionchange = () => db.close();
      resolve(db);
    };
    r.onerror = () => reject(r.error ?? new Error(`IndexedDB ${name} could not be opened.`));
    r.onblocked = () => resolve(null);
  });
}

/** Entries and summed value sizes of one store, walking a cursor (values are read one at a time). */
async function measureStore(db: IDBDatabase, store: string): Promise<{ items: number; bytes: number }> {
  const tx = db.transaction(store, 'readonly');
  const cursor = tx.objectStore(store).openCursor();
  let items = 0;
  let bytes = 0;
  await new Promise<void>((resolve, reject) => {
    cursor.onsuccess = () => {
      const c = cursor.result;
      if (!c) {
        resolve();
        return;
      }
      items++;
      bytes += valueBytes(c.value) + (typeof c.key === 'string' ? c.key.length : 8);
      c.continue();
    };
    cursor.onerror = () => reject(cursor.error ?? new Error('IndexedDB cursor failed.'));
  });
  return { items, bytes };
}

async function indexedDbItems(): Promise<StoredItem[]> {
  const out: StoredItem[] = [];
  for (const name of await databaseNames()) {
    const db = await openExisting(name);
    if (!db) continue;
    try {
      for (const store of Array.from(db.objectStoreNames)) {
        const id = storeId(name, store);
        const { items, bytes } = await measureStore(db, store);
        out.push({ id, kind: 'indexeddb', label: LABELS[id] ?? `${name} / ${store}`, where: `IndexedDB ${name} / ${store}`, items, bytes });
      }
    } finally {
      db.close();
    }
  }
  return out;
}

async function cacheItems(): Promise<StoredItem[]> {
  if (typeof caches === 'undefined') return [];
  const out: StoredItem[] = [];
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    const keys = await cache.keys();
    let bytes = 0;
    for (const request of keys) {
      const response = await cache.match(request);
      if (!response) continue;
      const length = Number(response.headers.get('content-length'));
      // Opaque responses say nothing; a read of the body is the only measure of the others.
      bytes += Number.isFinite(length) && length > 0 ? length : response.type === 'opaque' ? 0 : (await response.blob()).size;
    }
    // public/sw.js (kiosk mode) keeps the app and the demo in 'seqlens-offline-<version>'.
    const label = name.startsWith('seqlens-offline') ? 'Offline copy of the app' : `Cached files (${name})`;
    out.push({ id: `cache:${name}`, kind: 'cache', label, where: `Cache Storage ${name}`, items: keys.length, bytes });
  }
  return out;
}

async function opfsRoot(): Promise<FileSystemDirectoryHandle | null> {
  if (typeof navigator === 'undefined' || typeof navigator.storage?.getDirectory !== 'function') return null;
  try {
    return await navigator.storage.getDirectory();
  } catch {
    return null;
  }
}

/** Files under a directory handle and their total size. */
async function walk(dir: FileSystemDirectoryHandle): Promise<{ items: number; bytes: number }> {
  let items = 0;
  let bytes = 0;
  // values() is in the File System Access spec; TypeScript's DOM types lack it in some versions.
  const entries = (dir as unknown as { values(): AsyncIterable<FileSystemHandle> }).values();
  for await (const h of entries) {
    if (h.kind === 'file') {
      items++;
      bytes += (await (h as FileSystemFileHandle).getFile()).size;
    } else {
      const sub = await walk(h as FileSystemDirectoryHandle);
      items += sub.items;
      bytes += sub.bytes;
    }
  }
  return { items, bytes };
}

async function opfsItems(): Promise<StoredItem[]> {
  const root = await opfsRoot();
  if (!root) return [];
  const out: StoredItem[] = [];
  const entries = (root as unknown as { values(): AsyncIterable<FileSystemHandle> }).values();
  for await (const h of entries) {
    const size = h.kind === 'file' ? { items: 1, bytes: (await (h as FileSystemFileHandle).getFile()).size } : await walk(h as FileSystemDirectoryHandle);
    out.push({ id: `opfs:${h.name}`, kind: 'opfs', label: `Files (${h.name})`, where: `Origin private file system /${h.name}`, ...size });
  }
  return out;
}

/** A cache the worker holds in memory only (gone on reload), listed so that the panel shows and can empty it. */
export interface MemoryStore {
  id: string;
  label: string;
  items: () => number;
  /** Null when the cache does not know its size. */
  bytes: () => number | null;
  clear: () => void | Promise<void>;
}

/** Every item, in the order IndexedDB, Cache Storage, OPFS, memory; usage and quota of the origin. */
export async function storageReport(memory: readonly MemoryStore[] = []): Promise<StorageReport> {
  const [idb, cache, opfs] = await Promise.all([indexedDbItems(), cacheItems(), opfsItems()]);
  const mem: StoredItem[] = memory.map((m) => ({
    id: m.id,
    kind: 'memory',
    label: m.label,
    where: 'Worker memory (until reload)',
    items: m.items(),
    bytes: m.bytes() ?? 0,
  }));
  let usage: number | null = null;
  let quota: number | null = null;
  if (typeof navigator !== 'undefined' && typeof navigator.storage?.estimate === 'function') {
    try {
      const e = await navigator.storage.estimate();
      usage = e.usage ?? null;
      quota = e.quota ?? null;
    } catch {
      // Some browsers refuse in private windows: the panel then shows the items only.
    }
  }
  return { items: [...idb, ...cache, ...opfs, ...mem], usage, quota };
}

// ---- wipe ----

/** How long a database deletion may wait for other connections (another tab) to close. */
const DELETE_WAIT_MS = 10_000;

function deleteDatabase(name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const r = indexedDB.deleteDatabase(name);
    const timer = setTimeout(
      () => reject(new Error(`The database ${name} is still open in another SeqLens tab; close the other tabs and delete again.`)),
      DELETE_WAIT_MS,
    );
    r.onsuccess = () => {
      clearTimeout(timer);
      resolve();
    };
    r.onerror = () => {
      clearTimeout(timer);
      reject(r.error ?? new Error(`The database ${name} could not be deleted.`));
    };
  });
}

async function clearStore(db: string, store: string): Promise<void> {
  const handle = await openExisting(db);
  if (!handle) return;
  try {
    if (!handle.objectStoreNames.contains(store)) return;
    const tx = handle.transaction(store, 'readwrite');
    tx.objectStore(store).clear();
    await done(tx);
  } finally {
    handle.close();
  }
}

/**
 * Deletes what `what` names: 'all' deletes every database of the origin (the worker's open
 * connection closes itself on the version change, see idb.ts), every cache and OPFS entry and
 * empties the memory caches; ids clear single stores (the database stays, with its schema).
 */
export async function wipeStorage(what: StorageWipe, memory: readonly MemoryStore[] = []): Promise<StorageReport> {
  if (what === 'all') {
    for (const m of memory) await m.clear();
    if (hasIndexedDb()) for (const name of await databaseNames()) await deleteDatabase(name);
    if (typeof caches !== 'undefined') for (const name of await caches.keys()) await caches.delete(name);
    const root = await opfsRoot();
    if (root) {
      const names: string[] = [];
      for await (const h of (root as unknown as { values(): AsyncIterable<FileSystemHandle> }).values()) names.push(h.name);
      for (const name of names) await root.removeEntry(name, { recursive: true });
    }
    return storageReport(memory);
  }
  for (const id of what.ids) {
    if (id.startsWith('idb:')) {
      const rest = id.slice(4);
      const slash = rest.lastIndexOf('/');
      if (slash > 0) await clearStore(rest.slice(0, slash), rest.slice(slash + 1));
    } else if (id.startsWith('cache:') && typeof caches !== 'undefined') {
      await caches.delete(id.slice(6));
    } else if (id.startsWith('opfs:')) {
      const root = await opfsRoot();
      if (root) await root.removeEntry(id.slice(5), { recursive: true }).catch(() => undefined);
    } else {
      const m = memory.find((x) => x.id === id);
      if (m) await m.clear();
    }
  }
  return storageReport(memory);
}
