// public/models/manifest.json: the models the app offers. Read by the analysis worker (over HTTP
// from the app's own origin), by `npm run analyze` (from disk) and by the tests. Pure: no DOM, no
// Node APIs, so all three share it.

import { DTYPE_SUFFIX, type ModelDtype } from './modelFiles';

export interface ManifestModel {
  /** Folder under public/models/ and transformers.js model id: 'Xenova/all-MiniLM-L6-v2'. */
  id: string;
  label: string;
  dtype: ModelDtype;
  /** Vector size, when known before loading (shown in the model list). */
  dims?: number;
  /** Token window cap (all-MiniLM-L6-v2 was trained on 256 tokens). */
  maxTokens?: number;
  /** Test models (random weights) are never chosen by default. */
  test: boolean;
  /** Files the model needs, relative to its folder. */
  files: string[];
  /** Pinned sha256 of some files, used to recognise a model installed from a folder. */
  sha256?: Record<string, string>;
  /** The command that installs it on the server side. */
  install?: string;
}

export interface ModelManifest {
  default: string;
  models: ManifestModel[];
}

/** The id the UI, the URL (?model=featurizer) and the CLI use for the built-in featuriser. */
export const FEATURIZER_ID = 'featurizer';

/** Files every model folder installed from disk must hold (besides the weights for its dtype). */
export const REQUIRED_MODEL_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json'] as const;

export function weightsFile(dtype: ModelDtype): string {
  return `onnx/model${DTYPE_SUFFIX[dtype]}.onnx`;
}

/** Checks the shape of a parsed manifest and fills in defaults; throws a readable Error. */
export function parseManifest(raw: unknown, where = 'models/manifest.json'): ModelManifest {
  const fail = (why: string): never => {
    throw new Error(`${where} is not a valid model manifest: ${why}`);
  };
  if (!raw || typeof raw !== 'object') fail('expected a JSON object');
  const obj = raw as Record<string, unknown>;
  if (!Array.isArray(obj.models)) fail('"models" must be a list');
  const models = (obj.models as unknown[]).map((m, i): ManifestModel => {
    if (!m || typeof m !== 'object') fail(`models[${i}] must be an object`);
    const e = m as Record<string, unknown>;
    if (typeof e.id !== 'string' || !/^[\w.-]+(\/[\w.-]+)?$/.test(e.id) || e.id.includes('..'))
      fail(`models[${i}].id must be a model id such as "Xenova/all-MiniLM-L6-v2"`);
    const dtype = (e.dtype ?? 'q8') as ModelDtype;
    if (!Object.hasOwn(DTYPE_SUFFIX, dtype)) fail(`models[${i}].dtype "${String(e.dtype)}" is not one of ${Object.keys(DTYPE_SUFFIX).join(', ')}`);
    const files = Array.isArray(e.files) && e.files.every((f) => typeof f === 'string') ? (e.files as string[]) : [...REQUIRED_MODEL_FILES, weightsFile(dtype)];
    return {
      id: e.id as string,
      label: typeof e.label === 'string' ? e.label : (e.id as string),
      dtype,
      dims: typeof e.dims === 'number' ? e.dims : undefined,
      maxTokens: typeof e.maxTokens === 'number' ? e.maxTokens : undefined,
      test: e.test === true,
      files,
      sha256: e.sha256 && typeof e.sha256 === 'object' ? (e.sha256 as Record<string, string>) : undefined,
      install: typeof e.install === 'string' ? e.install : undefined,
    };
  });
  const def = typeof obj.default === 'string' ? obj.default : (models.find((m) => !m.test)?.id ?? '');
  return { default: def, models };
}

/**
 * The model to use when the user has not chosen one: the manifest's default if installed, else
 * the first other installed model that is not a test model, else the featuriser.
 */
export function defaultModelId(manifest: ModelManifest, installed: (id: string) => boolean): string {
  const real = manifest.models.filter((m) => !m.test);
  const preferred = real.find((m) => m.id === manifest.default);
  if (preferred && installed(preferred.id)) return preferred.id;
  return real.find((m) => installed(m.id))?.id ?? FEATURIZER_ID;
}
