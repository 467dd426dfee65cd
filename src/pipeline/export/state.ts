// The saved-analysis file: what the page needs to put an analysis back as it was (the settings of
// every stage, K, the selected users, hidden clusters, the colouring), not the data or the vectors,
// which are recomputed from the log. The file comes back from the user's disk, so every field is
// checked, and a wrong one is named in the error with what was expected.

import { checkServiceSettings, ServiceSettingsError, type ServiceSettings } from '../catalog/serviceSettings';

export const STATE_FORMAT = 'seqlens-analysis';
export const STATE_VERSION = 1;

export interface AnalysisState {
  format: typeof STATE_FORMAT;
  version: 1;
  /** ISO 8601 time of saving. */
  savedAt: string;
  /** The log the analysis was made from (to tell the user which file to open again). */
  file: { name: string; bytes: number | null; rows: number };
  settings: {
    sequence: Record<string, unknown>;
    encoder: Record<string, unknown>;
    gcn: Record<string, unknown>;
    cluster: Record<string, unknown>;
    map: Record<string, unknown>;
  };
  /** The clustering shown; null before one was chosen. */
  k: number | null;
  /** Selected points, by user (or session) id. */
  selection: string[];
  /** Cluster numbers hidden on the map. */
  hiddenClusters: number[];
  colorBy: string;
  /** Service-line choices (pipeline/catalog ServiceSettings); absent in files saved before them. */
  serviceItems?: ServiceSettings;
}

/** A state file that cannot be read; the message says what is wrong in words a user can act on. */
export class StateFileError extends Error {
  /** The field at fault ("file.rows", "settings.gcn", ...), or null when the file as a whole is wrong. */
  readonly field: string | null;
  constructor(message: string, field: string | null = null) {
    super(message);
    this.name = 'StateFileError';
    this.field = field;
  }
}

/** Pretty JSON with a trailing newline: the file is small and may be read or diffed by people. */
export function serializeState(s: AnalysisState): string {
  return `${JSON.stringify(s, null, 2)}\n`;
}

const SETTINGS_KEYS = ['sequence', 'encoder', 'gcn', 'cluster', 'map'] as const;

/** How a wrong value is named in a message: its JSON, shortened. */
function shown(v: unknown): string {
  if (v === undefined) return 'missing';
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return `${s.length > 40 ? `${s.slice(0, 37)}...` : s}`;
}

function bad(field: string, expected: string, v: unknown): never {
  const what = v === undefined ? 'it is missing' : `found ${shown(v)}`;
  throw new StateFileError(`The analysis file is damaged: "${field}" should be ${expected}, but ${what}.`, field);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isWhole = (v: unknown, min: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min;

function str(o: Record<string, unknown>, key: string, path: string): string {
  const v = o[key];
  if (typeof v !== 'string') bad(path, 'text', v);
  return v;
}

function obj(o: Record<string, unknown>, key: string, path: string): Record<string, unknown> {
  const v = o[key];
  if (!isObject(v)) bad(path, 'an object', v);
  return v;
}

/**
 * Reads a saved analysis. Throws StateFileError when the text is not JSON, not a SeqLens analysis
 * file, saved by a newer version, or has a field of the wrong kind (named in the message). Fields
 * this version does not know are dropped, so a file from a patch release with extras still loads.
 */
export function parseState(text: string): AnalysisState {
  let doc: unknown;
  try {
    doc = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch {
    throw new StateFileError('This is not a SeqLens analysis file: it is not JSON. Choose a file saved with "Save analysis".');
  }
  if (!isObject(doc) || doc.format !== STATE_FORMAT) {
    throw new StateFileError(`This is not a SeqLens analysis file (it has no "format": "${STATE_FORMAT}"). Choose a file saved with "Save analysis".`);
  }
  const version = doc.version;
  if (!isWhole(version, 1)) bad('version', `a whole number of at least 1 (this SeqLens reads version ${STATE_VERSION})`, version);
  if (version > STATE_VERSION) {
    throw new StateFileError(
      `This analysis file was saved by a newer version of SeqLens (file format version ${version}; this one reads version ${STATE_VERSION}). Update SeqLens to open it.`,
      'version',
    );
  }
  const savedAt = str(doc, 'savedAt', 'savedAt');
  if (!Number.isFinite(Date.parse(savedAt))) bad('savedAt', 'a date and time such as "2026-11-28T03:00:00Z"', savedAt);

  const f = obj(doc, 'file', 'file');
  const name = str(f, 'name', 'file.name');
  const bytes = f.bytes;
  if (bytes !== null && !isWhole(bytes, 0)) bad('file.bytes', 'a whole number of bytes (at least 0) or null', bytes);
  const rows = f.rows;
  if (!isWhole(rows, 0)) bad('file.rows', 'a whole number of rows (at least 0)', rows);

  const s = obj(doc, 'settings', 'settings');
  const settings = {} as AnalysisState['settings'];
  for (const key of SETTINGS_KEYS) settings[key] = { ...obj(s, key, `settings.${key}`) };

  const k = doc.k;
  if (k !== null && !isWhole(k, 2)) bad('k', 'a whole number of clusters (at least 2) or null', k);

  const sel = doc.selection;
  if (!Array.isArray(sel)) bad('selection', 'a list of user ids', sel);
  sel.forEach((v, i) => {
    if (typeof v !== 'string') bad(`selection[${i}]`, 'a user id (text)', v);
  });

  const hidden = doc.hiddenClusters;
  if (!Array.isArray(hidden)) bad('hiddenClusters', 'a list of cluster numbers', hidden);
  hidden.forEach((v, i) => {
    if (!isWhole(v, 0)) bad(`hiddenClusters[${i}]`, 'a cluster number (a whole number of at least 0)', v);
  });
  if (k !== null) {
    const out = (hidden as number[]).findIndex((c) => c >= k);
    if (out >= 0) bad(`hiddenClusters[${out}]`, `a cluster number below k = ${k}`, hidden[out]);
  }

  const colorBy = str(doc, 'colorBy', 'colorBy');

  let serviceItems: ServiceSettings | undefined;
  if (doc.serviceItems !== undefined) {
    try {
      serviceItems = checkServiceSettings(doc.serviceItems);
    } catch (e) {
      if (e instanceof ServiceSettingsError) throw new StateFileError(`The analysis file is damaged: "serviceItems": ${e.message}`, 'serviceItems');
      throw e;
    }
  }

  return {
    format: STATE_FORMAT,
    version: 1,
    savedAt,
    file: { name, bytes: bytes as number | null, rows },
    settings,
    k: k as number | null,
    selection: (sel as string[]).slice(),
    hiddenClusters: (hidden as number[]).slice(),
    colorBy,
    ...(serviceItems ? { serviceItems } : {}),
  };
}
