// Checks a model folder the user chose (<input type=file webkitdirectory>) before anything is
// stored: where the model's root is, that the files transformers.js reads for dtype q8 are there
// under the right names, and that the JSON files are JSON. Pure (paths and text in, a verdict out)
// so that it is tested in Node; the worker does the reading and storing.

import { EncoderError } from '../pipeline/encode/errors';
import { DTYPE_SUFFIX } from '../pipeline/encode/modelFiles';
import { REQUIRED_MODEL_FILES, weightsFile } from './manifest';

export const FOLDER_DTYPE = 'q8' as const;
export const FOLDER_WEIGHTS = weightsFile(FOLDER_DTYPE);

export interface FolderEntry {
  /** As the browser gives it (File.webkitRelativePath): 'all-MiniLM-L6-v2/onnx/model_quantized.onnx'. */
  path: string;
  size: number;
}

export interface FolderLayout {
  /** The folder that holds config.json, as chosen ('all-MiniLM-L6-v2' or 'models/all-MiniLM-L6-v2'). */
  root: string;
  /** Its last part, for the model's name. */
  name: string;
  /** Relative path in the model folder -> index into the entries given. */
  files: Map<string, number>;
}

const JSON_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json'];

/** Finds the model root and checks the layout; throws an EncoderError that says what to change. */
export function checkFolderLayout(entries: readonly FolderEntry[]): FolderLayout {
  const paths = entries.map((e) => e.path.replace(/\\/g, '/').replace(/^\/+/, ''));
  const chosen = paths[0]?.split('/')[0] ?? 'the folder';
  if (paths.length === 0) {
    throw new EncoderError(
      'The chosen folder is empty. Choose the folder that holds config.json, tokenizer.json and onnx/model_quantized.onnx.',
      'model-missing',
    );
  }
  const dirOf = (p: string): string => (p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '');
  // Candidate roots: folders with a config.json; the shallowest wins, several at one depth is ambiguous.
  const roots = paths.filter((p) => p.split('/').pop() === 'config.json').map(dirOf);
  if (roots.length === 0) {
    const onnx = paths.filter((p) => p.endsWith('.onnx'));
    throw new EncoderError(
      `"${chosen}" is not a model folder: it has no config.json${onnx.length > 0 ? ` (it has ${onnx.slice(0, 3).join(', ')})` : ''}. ` +
        'Choose the folder of one model, the one that holds config.json, tokenizer.json, tokenizer_config.json and onnx/model_quantized.onnx ' +
        "(as `npm run models:fetch` lays it out, or as downloaded from the model's repository).",
      'model-wrong-layout',
      `${chosen}/config.json`,
    );
  }
  const depth = (d: string): number => (d === '' ? 0 : d.split('/').length);
  const shallowest = Math.min(...roots.map(depth));
  const top = roots.filter((r) => depth(r) === shallowest);
  if (top.length > 1) {
    throw new EncoderError(`"${chosen}" holds several models (${top.join(', ')}). Choose the folder of one of them.`, 'model-wrong-layout', chosen);
  }
  const root = top[0];
  const prefix = root === '' ? '' : `${root}/`;
  const files = new Map<string, number>();
  paths.forEach((p, i) => {
    if (p.startsWith(prefix)) files.set(p.slice(prefix.length), i);
  });
  const shown = root || chosen;

  const missing = REQUIRED_MODEL_FILES.filter((f) => !files.has(f));
  if (missing.length > 0) {
    throw new EncoderError(
      `The model folder "${shown}" is incomplete: ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} missing. ` +
        'A transformers.js model folder needs config.json, tokenizer.json, tokenizer_config.json and onnx/model_quantized.onnx.',
      'model-file-missing',
      `${shown}/${missing[0]}`,
    );
  }
  if (!files.has(FOLDER_WEIGHTS)) {
    const others: string[] = [];
    for (const [dtype, suffix] of Object.entries(DTYPE_SUFFIX)) {
      for (const rel of [`onnx/model${suffix}.onnx`, `model${suffix}.onnx`]) {
        if (rel !== FOLDER_WEIGHTS && files.has(rel)) others.push(`${rel} (${rel.startsWith('onnx/') ? `dtype '${dtype}'` : 'outside onnx/'})`);
      }
    }
    const anyOnnx = [...files.keys()].filter((p) => p.endsWith('.onnx'));
    const has = others.length > 0 ? others : anyOnnx;
    throw new EncoderError(
      `The model folder "${shown}" is laid out wrongly: ${shown}/${FOLDER_WEIGHTS} is missing` +
        (has.length > 0 ? `, but it has ${has.join(', ')}. ` : ', and it has no .onnx file at all. ') +
        `SeqLens loads the int8 (q8) weights from ${FOLDER_WEIGHTS} only: ` +
        (has.length > 0 ? 'if that file is the quantized model, move or rename it there; otherwise ' : '') +
        'get the model with its onnx/ folder (`npm run models:fetch` installs it correctly).',
      'model-wrong-layout',
      `${shown}/${FOLDER_WEIGHTS}`,
    );
  }
  const weights = entries[files.get(FOLDER_WEIGHTS)!];
  if (weights.size < 1024) {
    throw new EncoderError(
      `${shown}/${FOLDER_WEIGHTS} is damaged: it has only ${weights.size} bytes. Delete the folder and download the model again.`,
      'model-corrupt',
      `${shown}/${FOLDER_WEIGHTS}`,
    );
  }
  return { root, name: root === '' ? chosen : root.split('/').pop()!, files };
}

/** The JSON files must parse; config.json must say what kind of model it is and its vector size. */
export function checkFolderJson(shown: string, texts: Record<string, string>): { config: Record<string, unknown> } {
  let config: Record<string, unknown> = {};
  for (const name of JSON_FILES) {
    const text = texts[name];
    if (text === undefined) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      throw new EncoderError(
        `${shown}/${name} is damaged: it is not valid JSON (${e instanceof Error ? e.message : String(e)}). Download the model again.`,
        'model-corrupt',
        `${shown}/${name}`,
      );
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new EncoderError(`${shown}/${name} is damaged: it should hold a JSON object. Download the model again.`, 'model-corrupt', `${shown}/${name}`);
    }
    if (name === 'config.json') config = parsed as Record<string, unknown>;
  }
  if (typeof config.model_type !== 'string' || !(Number(config.hidden_size ?? config.d_model ?? config.dim) > 0)) {
    throw new EncoderError(
      `${shown}/config.json does not describe a text encoder (it needs model_type and hidden_size). Is this the folder of a sentence-embedding model?`,
      'model-wrong-layout',
      `${shown}/config.json`,
    );
  }
  return { config };
}

/** The id a folder model is stored under when it is not one of the manifest's pinned models. */
export function localModelId(name: string): string {
  const clean = name
    .replace(/[^\w.-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 80);
  return `local/${clean || 'model'}`;
}
