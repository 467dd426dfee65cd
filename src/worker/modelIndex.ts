// Which model files the app's own origin serves, as one small JSON file written by the build (and
// answered live by the dev server): `models/installed.json`, `{ "files": { "<model id>": [paths] } }`.
// Reading it replaces a HEAD request per manifest file and model, which asked the server for files
// that were not there on every visit. A host without it (an older build, a hand-made copy) still
// works: the catalog falls back to probing.

export const MODEL_INDEX_FILE = 'installed.json';

export interface ModelIndex {
  /** Files present per model id, as paths relative to the model's folder. */
  files: ReadonlyMap<string, ReadonlySet<string>>;
}

/** Parses the index; null when it is not one (so the caller probes instead). */
export function parseModelIndex(json: unknown): ModelIndex | null {
  if (typeof json !== 'object' || json === null) return null;
  const files = (json as { files?: unknown }).files;
  if (typeof files !== 'object' || files === null || Array.isArray(files)) return null;
  const out = new Map<string, Set<string>>();
  for (const [id, list] of Object.entries(files)) {
    if (!Array.isArray(list) || !list.every((f) => typeof f === 'string')) return null;
    out.set(id, new Set(list as string[]));
  }
  return { files: out };
}

/** Which of `wanted` the index lists for model `id` (none when the model is absent). */
export function presentInIndex(index: ModelIndex, id: string, wanted: readonly string[]): boolean[] {
  const have = index.files.get(id);
  return wanted.map((f) => have?.has(f) ?? false);
}

/**
 * The index for the folder tree under public/models/: every file of every model folder that the
 * manifest names. `list(id)` returns the files found under that model's folder (relative paths),
 * or [] when there is none; kept apart from the file system so that the build and tests share it.
 */
export function buildModelIndex(modelIds: readonly string[], list: (id: string) => string[]): { files: Record<string, string[]> } {
  const files: Record<string, string[]> = {};
  for (const id of modelIds) {
    const found = list(id).sort();
    if (found.length > 0) files[id] = found;
  }
  return { files };
}
