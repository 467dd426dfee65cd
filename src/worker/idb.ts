// The browser database of the analysis worker: models installed from a folder and embedding
// vectors, so that both survive a reload. A few promise helpers over IndexedDB, nothing more.

export const DB_NAME = 'seqlens';
export const DB_VERSION = 1;
export const MODELS_STORE = 'models';
export const EMBEDDINGS_STORE = 'embeddings';

/**
 * A cached opener of one database: opened on first use and kept; let go (and opened afresh next
 * time) when another tab upgrades or a wipe deletes it, or when opening failed. `upgrade` creates
 * the stores on first open.
 */
export function dbOpener(name: string, version: number, upgrade: (db: IDBDatabase) => void, blocked: string): () => Promise<IDBDatabase> {
  let opening: Promise<IDBDatabase> | null = null;
  return () => {
    if (opening) return opening;
    const next = new Promise<IDBDatabase>((resolve, reject) => {
      if (typeof indexedDB === 'undefined') {
        reject(new Error('This browser offers no IndexedDB storage (a private window may switch it off).'));
        return;
      }
      const req = indexedDB.open(name, version);
      req.onupgradeneeded = () => upgrade(req.result);
      req.onsuccess = () => {
        const db = req.result;
        // Another tab upgrading the schema, or a wipe deleting the database: let go so that it can.
        db.onversionchange = () => {
          db.close();
          if (opening === next) opening = null;
        };
        resolve(db);
      };
      req.onerror = () => reject(req.error ?? new Error('IndexedDB could not be opened.'));
      req.onblocked = () => reject(new Error(blocked));
    });
    opening = next;
    next.catch(() => {
      if (opening === next) opening = null;
    });
    return next;
  };
}

export const openDb = dbOpener(
  DB_NAME,
  DB_VERSION,
  (db) => {
    if (!db.objectStoreNames.contains(MODELS_STORE)) db.createObjectStore(MODELS_STORE, { keyPath: 'id' });
    if (!db.objectStoreNames.contains(EMBEDDINGS_STORE)) db.createObjectStore(EMBEDDINGS_STORE);
  },
  'IndexedDB is blocked by another SeqLens tab; close it and reload.',
);

export function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed.'));
  });
}

export function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted.'));
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed.'));
  });
}
