// Models the user installed from a folder, kept in IndexedDB so that they survive a reload, and
// the custom cache through which transformers.js reads them: with env.useCustomCache, every model
// file is first asked of customCache.match(localPath) (see getModelFile in transformers.js's
// utils/hub.js), so '/models/<id>/onnx/model_quantized.onnx' of an installed model is answered from
// here and never requested from the server.

import type { FileProbe } from '../pipeline/encode';
import { done, MODELS_STORE, openDb, request } from './idb';

export interface InstalledModel {
  id: string;
  label: string;
  dtype: 'q8';
  /** The folder's name as chosen. */
  folder: string;
  /** Relative path in the model folder -> its contents. */
  files: Record<string, Blob>;
  bytes: number;
  installedAt: string;
  /** The manifest model whose pinned weights it matched, if any. */
  recognised: boolean;
}

export type InstalledModelInfo = Omit<InstalledModel, 'files'> & { paths: string[] };

export function info(m: InstalledModel): InstalledModelInfo {
  const { files, ...rest } = m;
  return { ...rest, paths: Object.keys(files).sort() };
}

export async function listInstalled(): Promise<InstalledModel[]> {
  const db = await openDb();
  const tx = db.transaction(MODELS_STORE, 'readonly');
  return (await request(tx.objectStore(MODELS_STORE).getAll())) as InstalledModel[];
}

export async function getInstalled(id: string): Promise<InstalledModel | undefined> {
  const db = await openDb();
  const tx = db.transaction(MODELS_STORE, 'readonly');
  return (await request(tx.objectStore(MODELS_STORE).get(id))) as InstalledModel | undefined;
}

export async function putInstalled(m: InstalledModel): Promise<void> {
  const db = await openDb();
  const tx = db.transaction(MODELS_STORE, 'readwrite');
  tx.objectStore(MODELS_STORE).put(m);
  await done(tx);
}

export async function deleteInstalled(id: string): Promise<void> {
  const db = await openDb();
  const tx = db.transaction(MODELS_STORE, 'readwrite');
  tx.objectStore(MODELS_STORE).delete(id);
  await done(tx);
}

/** Whether a file of an installed model exists: the probe loadModelEmbedder uses for precise errors. */
export function storeProbe(m: InstalledModel): FileProbe {
  return async (rel) => Object.hasOwn(m.files, rel);
}

/**
 * transformers.js's CacheInterface over the installed models. `modelsPath` is env.localModelPath
 * ('/models/'): keys look like '/models/local/my-model/config.json'. Anything else (the server's
 * own models, ONNX Runtime's wasm files) is a miss, so transformers.js fetches it from our origin
 * as usual; put() stores nothing, because the server's files are cached by HTTP already.
 */
export class InstalledModelsCache {
  private readonly base: string;
  private models: Promise<InstalledModel[]> | null = null;

  constructor(modelsPath: string) {
    this.base = modelsPath.endsWith('/') ? modelsPath : `${modelsPath}/`;
  }

  /** Call after an install or removal: the list is read once and kept until then. */
  invalidate(): void {
    this.models = null;
  }

  async match(key: string): Promise<Response | undefined> {
    let path = key;
    try {
      // Keys may come as absolute URLs of our origin.
      if (/^https?:/.test(key)) {
        const url = new URL(key);
        if (typeof location === 'undefined' || url.origin !== location.origin) return undefined;
        path = url.pathname;
      }
    } catch {
      return undefined;
    }
    if (!path.startsWith(this.base)) return undefined;
    const rest = decodeURIComponent(path.slice(this.base.length));
    this.models ??= listInstalled().catch(() => []);
    for (const m of await this.models) {
      if (!rest.startsWith(`${m.id}/`)) continue;
      const blob = m.files[rest.slice(m.id.length + 1)];
      if (!blob) return undefined;
      return new Response(blob, { status: 200, headers: { 'content-type': 'application/octet-stream', 'content-length': String(blob.size) } });
    }
    return undefined;
  }

  async put(): Promise<void> {}
}
