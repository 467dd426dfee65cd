// Which models the app can use: the manifest's (public/models/manifest.json), checked for presence
// on our own origin, plus those installed in this browser from a folder. And the folder install.

import { EncoderError, httpProbe } from '../pipeline/encode';
import { detectDevice, forgetEmbedder, getEmbedder, installedCache, MODELS_PATH } from './encoderRuntime';
import { checkFolderJson, checkFolderLayout, FOLDER_DTYPE, FOLDER_WEIGHTS, localModelId } from './folderModel';
import { defaultModelId, parseManifest, type ManifestModel, type ModelManifest } from './manifest';
import { deleteInstalled, getInstalled, listInstalled, putInstalled, type InstalledModel } from './modelStore';
import { openDb } from './idb';
import { MODEL_INDEX_FILE, parseModelIndex, presentInIndex, type ModelIndex } from './modelIndex';
import type { CatalogModel, FolderFile, ModelCatalog } from './protocol';

const EMPTY_MANIFEST: ModelManifest = { default: '', models: [] };

let manifestLoad: Promise<{ manifest: ModelManifest; error: string | null }> | null = null;

export function loadManifest(): Promise<{ manifest: ModelManifest; error: string | null }> {
  manifestLoad ??= (async () => {
    const url = new URL(`${MODELS_PATH}manifest.json`, self.location.href);
    try {
      const res = await fetch(url, { cache: 'no-cache' });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      if ((res.headers.get('content-type') ?? '').includes('text/html')) throw new Error('the server answered with a web page: the file is missing');
      return { manifest: parseManifest(await res.json(), url.pathname), error: null };
    } catch (e) {
      manifestLoad = null;
      return { manifest: EMPTY_MANIFEST, error: `The model list ${url.pathname} could not be read (${e instanceof Error ? e.message : String(e)}).` };
    }
  })();
  return manifestLoad;
}

let indexLoad: Promise<ModelIndex | null> | null = null;

/** The build's list of the model files it serves (modelIndex.ts); null where the host has none. */
function loadModelIndex(): Promise<ModelIndex | null> {
  indexLoad ??= (async () => {
    try {
      const res = await fetch(new URL(`${MODELS_PATH}${MODEL_INDEX_FILE}`, self.location.href), { cache: 'no-cache' });
      if (!res.ok || (res.headers.get('content-type') ?? '').includes('text/html')) return null;
      return parseModelIndex(await res.json());
    } catch {
      return null;
    }
  })();
  return indexLoad;
}

/**
 * Checks the manifest's files of one model on our origin: from the build's index when there is one
 * (no request for a file it does not list), else by HEAD (an HTML answer is the SPA fallback, so missing).
 */
async function presentOnOrigin(m: ManifestModel): Promise<{ present: boolean; missing: string[] }> {
  const index = await loadModelIndex();
  let seen: (boolean | undefined)[];
  if (index) seen = presentInIndex(index, m.id, m.files);
  else {
    const probe = httpProbe(new URL(`${MODELS_PATH}${m.id}/`, self.location.href).href);
    seen = await Promise.all(m.files.map((f) => probe(f)));
  }
  const missing = m.files.filter((_, i) => seen[i] !== true);
  return { present: missing.length === 0, missing: missing.length === m.files.length ? [] : missing };
}

async function storageWorks(): Promise<boolean> {
  try {
    await openDb();
    return true;
  } catch {
    return false;
  }
}

function fromInstalled(m: InstalledModel, manifest?: ManifestModel): CatalogModel {
  return {
    id: m.id,
    label: manifest?.label ?? m.label,
    dtype: m.dtype,
    dims: manifest?.dims,
    test: manifest?.test ?? false,
    source: 'browser',
    missing: [],
    folder: m.folder,
    bytes: m.bytes,
    installedAt: m.installedAt,
  };
}

export async function listModels(): Promise<ModelCatalog> {
  const [{ manifest, error }, storage, webgpu] = await Promise.all([loadManifest(), storageWorks(), detectDevice()]);
  const installed = storage ? await listInstalled().catch(() => []) : [];
  const byId = new Map(installed.map((m) => [m.id, m]));
  const models: CatalogModel[] = await Promise.all(
    manifest.models.map(async (m): Promise<CatalogModel> => {
      const mine = byId.get(m.id);
      if (mine) return fromInstalled(mine, m);
      const { present, missing } = await presentOnOrigin(m);
      return { id: m.id, label: m.label, dtype: m.dtype, dims: m.dims, test: m.test, source: present ? 'origin' : null, missing, install: m.install };
    }),
  );
  for (const m of installed) if (!manifest.models.some((e) => e.id === m.id)) models.push(fromInstalled(m));
  const has = (id: string) => models.some((m) => m.id === id && m.source !== null);
  const preferredEntry = models.find((m) => m.id === manifest.default) ?? null;
  // Models installed from a folder count as installed too, but never test models.
  let defaultModel = defaultModelId(manifest, has);
  if (defaultModel === 'featurizer') defaultModel = models.find((m) => m.source === 'browser' && !m.test)?.id ?? defaultModel;
  return { models, defaultModel, preferred: preferredEntry, manifestError: error, webgpu, storage };
}

export function modelSpec(id: string): Promise<{ manifest?: ManifestModel; installed?: InstalledModel }> {
  return Promise.all([loadManifest(), getInstalled(id).catch(() => undefined)]).then(([{ manifest }, installed]) => ({
    manifest: manifest.models.find((m) => m.id === id),
    installed,
  }));
}

async function sha256(blob: Blob): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Checks the folder, stores it, then loads it and embeds one text: a damaged model is caught here,
 * removed again, and reported, rather than failing later. Returns the catalogue entry.
 */
export async function installModel(
  files: FolderFile[],
  onProgress: (message: string) => void,
  forgetVectors: (prefix: string) => Promise<void>,
): Promise<CatalogModel> {
  onProgress('Checking the folder…');
  const layout = checkFolderLayout(files.map((f) => ({ path: f.path, size: f.file.size })));
  const shown = layout.root || layout.name;
  const fileAt = (rel: string): Blob => files[layout.files.get(rel)!].file;
  const texts: Record<string, string> = {};
  for (const name of ['config.json', 'tokenizer.json', 'tokenizer_config.json']) texts[name] = await fileAt(name).text();
  checkFolderJson(shown, texts);
  if (!(await storageWorks())) {
    throw new EncoderError(
      'This browser does not let SeqLens store data (IndexedDB is off, as in some private windows), so a model cannot be installed here. Use `npm run models:fetch` on the server instead.',
      'model-load-failed',
    );
  }

  // The manifest's own model when the weights are the pinned ones; else a local model of its own.
  onProgress('Recognising the model…');
  const { manifest } = await loadManifest();
  const weights = fileAt(FOLDER_WEIGHTS);
  const pinned = manifest.models.filter((m) => m.sha256?.[FOLDER_WEIGHTS]);
  const digest = pinned.length > 0 ? await sha256(weights) : '';
  const known = pinned.find((m) => m.sha256![FOLDER_WEIGHTS].toLowerCase() === digest);
  const id = known?.id ?? localModelId(layout.name);

  // Only what transformers.js may read, not the rest of the folder (other dtypes, READMEs).
  const keep: Record<string, Blob> = {};
  let bytes = 0;
  for (const [rel, i] of layout.files) {
    const settings = !rel.includes('/') && /\.(json|txt|model)$/.test(rel);
    if (settings || rel === FOLDER_WEIGHTS) {
      keep[rel] = files[i].file;
      bytes += files[i].file.size;
    }
  }
  const record: InstalledModel = {
    id,
    label: known ? known.label : `${layout.name} (installed from a folder)`,
    dtype: FOLDER_DTYPE,
    folder: layout.name,
    files: keep,
    bytes,
    installedAt: new Date().toISOString(),
    recognised: !!known,
  };
  const previous = await getInstalled(id).catch(() => undefined);
  onProgress(`Storing ${shown} in this browser…`);
  await forgetEmbedder(id);
  await putInstalled(record);
  installedCache.invalidate();

  onProgress('Loading the model to check it…');
  try {
    const loaded = await getEmbedder({ id, manifest: known, installed: record }, 'auto');
    await loaded.embedder.embed(['a test sentence']);
  } catch (e) {
    // Put back what was there before (or nothing), so a bad folder never replaces a good model.
    await forgetEmbedder(id);
    if (previous) await putInstalled(previous);
    else await deleteInstalled(id);
    installedCache.invalidate();
    if (e instanceof EncoderError) {
      const message = e.message.replaceAll(`${MODELS_PATH}${id}`, shown).replace(/ ?(Install it with|Recreate it with) .*$/s, '');
      throw new EncoderError(`${shown} was not installed: ${message}`, e.code, e.file?.replace(`${MODELS_PATH}${id}`, shown));
    }
    throw e;
  }
  // Vectors cached under this id may come from another model of the same folder name.
  if (previous) await forgetVectors(`${id}@`);
  return fromInstalled(record, known);
}

export async function removeModel(id: string, forgetVectors: (prefix: string) => Promise<void>): Promise<void> {
  await forgetEmbedder(id);
  await deleteInstalled(id);
  installedCache.invalidate();
  await forgetVectors(`${id}@`);
}
