// Saved analyses: the logs opened lately (the file itself, so that a reload can reopen it) and the
// results of the slow stages (graph network, K sweep, map), each under a key that hashes its input
// and every setting it depends on. A changed setting is a different key, so a stale result can
// never be served; the same log with the same settings is answered from here in milliseconds.
// IndexedDB transactions are atomic: a write that fails (full quota) leaves what was there intact.

import { dbOpener, done, request } from './idb';
import type { ResultStore, Stage } from '../pipeline/runner/resultStore';

// The runner's key hash, used here for the saved analyses' keys too.
export { stableKey } from '../pipeline/runner/resultStore';

// A database of its own (not a store in idb.ts's): it can be listed, wiped and versioned apart.
const DB_NAME = 'seqlens-analyses';
const DB_VERSION = 1;
export const RESULTS_STORE = 'results';
export const ANALYSES_STORE = 'analyses';
export const ANALYSES_DB_NAME = DB_NAME;
/** Saved logs kept; the oldest go first (with their results). */
export const MAX_ANALYSES = 8;

export type { Stage } from '../pipeline/runner/resultStore';

export interface SavedAnalysis {
  /** Hash of the file's identity (name, size, date, sampled content). */
  id: string;
  name: string;
  bytes: number;
  /** The log itself; null for the bundled demo (fetched again) or a file too large to keep. */
  file: Blob | null;
  demo: boolean;
  mapping: Record<string, number>;
  sequence: Record<string, unknown>;
  rows: number;
  sequences: number;
  savedAt: string;
  /** The user's service-line choices for this log (pipeline/catalog ServiceSettings); absent = defaults. */
  serviceItems?: { mode: 'auto' | 'off'; service: string[]; product: string[] };
  /** A day/month order of numeric dates the user set in the mapping panel; absent = from the file. */
  dateOrder?: 'dmy' | 'mdy';
}

export type SavedAnalysisInfo = Omit<SavedAnalysis, 'file'> & { fileKept: boolean };

interface ResultRecord {
  key: string;
  stage: Stage;
  /** The saved analysis it belongs to, so forgetting the analysis forgets its results. */
  analysis: string;
  savedAt: string;
  value: unknown;
}

const open = dbOpener(
  DB_NAME,
  DB_VERSION,
  (db) => {
    if (!db.objectStoreNames.contains(RESULTS_STORE)) {
      const results = db.createObjectStore(RESULTS_STORE, { keyPath: 'key' });
      results.createIndex('analysis', 'analysis');
    }
    if (!db.objectStoreNames.contains(ANALYSES_STORE)) db.createObjectStore(ANALYSES_STORE, { keyPath: 'id' });
  },
  'Saved analyses are blocked by another SeqLens tab; close it and reload.',
);

/** What to tell the user when a save failed. */
export function saveErrorText(e: unknown): string {
  const name = (e as { name?: string } | null)?.name;
  if (name === 'QuotaExceededError') {
    return "The browser's storage for this site is full, so this analysis was not saved (nothing saved before was changed). Free space by deleting saved analyses or cached models.";
  }
  return `This analysis could not be saved in the browser (${e instanceof Error ? e.message : String(e)}); it works, but a reload will compute it again.`;
}

function hex(buf: ArrayBuffer): string {
  return Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, '0')).join('');
}

const SAMPLE = 1 << 20;

/**
 * The file's identity: name, size, modification time and its first, middle and last MiB. Hashing
 * every byte of a 1 GB log would cost seconds; an edited file changes its date, and these cover
 * header, body and tail.
 */
export async function fileFingerprint(file: Blob, name: string): Promise<string> {
  const size = file.size;
  const modified = 'lastModified' in file ? (file as File).lastModified : 0;
  const pieces: Uint8Array[] = [new TextEncoder().encode(`${name}\u0000${size}\u0000${modified}\u0000`)];
  const starts = size <= 3 * SAMPLE ? [0] : [0, Math.floor(size / 2) - SAMPLE / 2, size - SAMPLE];
  for (const s of starts) pieces.push(new Uint8Array(await file.slice(s, size <= 3 * SAMPLE ? size : s + SAMPLE).arrayBuffer()));
  const total = pieces.reduce((n, p) => n + p.length, 0);
  const all = new Uint8Array(total);
  let at = 0;
  for (const p of pieces) {
    all.set(p, at);
    at += p.length;
  }
  return hex(await crypto.subtle.digest('SHA-256', all));
}

export async function getResult<T>(key: string): Promise<T | null> {
  try {
    const db = await open();
    const rec = (await request(db.transaction(RESULTS_STORE).objectStore(RESULTS_STORE).get(key))) as ResultRecord | undefined;
    return rec ? (rec.value as T) : null;
  } catch {
    // A cache that cannot be read is a cache miss: the stage computes.
    return null;
  }
}

/** Saves a stage's result; returns why not (for the user) or null. */
export async function putResult(key: string, stage: Stage, analysis: string, value: unknown): Promise<string | null> {
  try {
    const db = await open();
    const tx = db.transaction(RESULTS_STORE, 'readwrite');
    tx.objectStore(RESULTS_STORE).put({ key, stage, analysis, savedAt: new Date().toISOString(), value } satisfies ResultRecord);
    await done(tx);
    return null;
  } catch (e) {
    return saveErrorText(e);
  }
}

/** The results store the pipeline runner is given in the browser. */
export const idbResultStore: ResultStore = { get: getResult, put: putResult };

/** Saves (or refreshes) a log, keeping at most MAX_ANALYSES; returns why not or null. */
export async function saveAnalysis(a: SavedAnalysis): Promise<string | null> {
  try {
    const db = await open();
    const existing = (await request(db.transaction(ANALYSES_STORE).objectStore(ANALYSES_STORE).getAll())) as SavedAnalysis[];
    const others = existing.filter((e) => e.id !== a.id).sort((x, y) => (x.savedAt < y.savedAt ? 1 : -1));
    const evict = others.slice(MAX_ANALYSES - 1);
    for (const old of evict) await forgetAnalysis(old.id);
    const tx = db.transaction(ANALYSES_STORE, 'readwrite');
    tx.objectStore(ANALYSES_STORE).put(a);
    await done(tx);
    return null;
  } catch (e) {
    return saveErrorText(e);
  }
}

/** Changes the service-line choices of a saved log (nothing when it is not saved); returns why not or null. */
export async function updateSavedServiceItems(id: string, serviceItems: SavedAnalysis['serviceItems']): Promise<string | null> {
  try {
    const db = await open();
    const tx = db.transaction(ANALYSES_STORE, 'readwrite');
    const store = tx.objectStore(ANALYSES_STORE);
    const rec = (await request(store.get(id))) as SavedAnalysis | undefined;
    if (rec) store.put({ ...rec, serviceItems });
    await done(tx);
    return null;
  } catch (e) {
    return saveErrorText(e);
  }
}

export async function getAnalysis(id: string): Promise<SavedAnalysis | null> {
  const db = await open();
  return ((await request(db.transaction(ANALYSES_STORE).objectStore(ANALYSES_STORE).get(id))) as SavedAnalysis | undefined) ?? null;
}

/** Whether the database exists (without creating it, as opening would), where the browser can say. */
async function exists(): Promise<boolean> {
  if (typeof indexedDB === 'undefined' || typeof indexedDB.databases !== 'function') return true;
  try {
    return (await indexedDB.databases()).some((d) => d.name === DB_NAME);
  } catch {
    return true;
  }
}

export async function listAnalyses(): Promise<SavedAnalysisInfo[]> {
  // Listing must not bring back a database the user just deleted.
  if (!(await exists())) return [];
  let db: IDBDatabase;
  try {
    db = await open();
  } catch {
    return [];
  }
  const all = (await request(db.transaction(ANALYSES_STORE).objectStore(ANALYSES_STORE).getAll())) as SavedAnalysis[];
  return all.sort((x, y) => (x.savedAt < y.savedAt ? 1 : -1)).map(({ file, ...rest }) => ({ ...rest, fileKept: file !== null }));
}

/** Forgets a log and every result computed from it, in one transaction. */
export async function forgetAnalysis(id: string): Promise<void> {
  const db = await open();
  const tx = db.transaction([ANALYSES_STORE, RESULTS_STORE], 'readwrite');
  tx.objectStore(ANALYSES_STORE).delete(id);
  const index = tx.objectStore(RESULTS_STORE).index('analysis');
  const keys = await request(index.getAllKeys(IDBKeyRange.only(id)));
  for (const k of keys) tx.objectStore(RESULTS_STORE).delete(k);
  await done(tx);
}
