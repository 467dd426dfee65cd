// Which files a transformers.js model folder must hold, and plain-language diagnoses when it does
// not: a folder that is not there, one file missing, the weights under the wrong name (the usual
// mistake: model.onnx where dtype 'q8' wants onnx/model_quantized.onnx), or a damaged file.

import { EncoderError } from './errors';

/** transformers.js's file name suffix per dtype (DEFAULT_DTYPE_SUFFIX_MAPPING). */
export const DTYPE_SUFFIX = {
  fp32: '',
  fp16: '_fp16',
  int8: '_int8',
  uint8: '_uint8',
  q8: '_quantized',
  q4: '_q4',
  q4f16: '_q4f16',
  bnb4: '_bnb4',
} as const;

export type ModelDtype = keyof typeof DTYPE_SUFFIX;

export const TINY_MODEL_ID = 'seqlens-tiny-bert';

export function onnxFileFor(dtype: ModelDtype): string {
  return `onnx/model${DTYPE_SUFFIX[dtype]}.onnx`;
}

/** Besides the weights, what the feature-extraction pipeline reads. */
export const REQUIRED_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json'] as const;

/** Whether a file of the model folder exists: true, false, or undefined when it cannot tell. */
export type FileProbe = (relPath: string) => Promise<boolean | undefined>;

/**
 * Probes over HTTP (browser, worker) with HEAD requests. An HTML answer counts as missing: dev
 * servers answer unknown paths with the app's index.html and status 200.
 */
export function httpProbe(folderUrl: string, fetchFn: typeof fetch = fetch): FileProbe {
  const base = folderUrl.endsWith('/') ? folderUrl : `${folderUrl}/`;
  return async (rel) => {
    try {
      const res = await fetchFn(base + rel, { method: 'HEAD', cache: 'no-store' });
      if (res.status === 404 || res.status === 410) return false;
      if (!res.ok) return undefined;
      return !(res.headers.get('content-type') ?? '').includes('text/html');
    } catch {
      return undefined;
    }
  };
}

/** The probe a browser or worker gets by default; none elsewhere (Node reads files directly). */
export function defaultProbe(folder: string): FileProbe | undefined {
  if (typeof location === 'undefined' || typeof fetch !== 'function') return undefined;
  try {
    return httpProbe(new URL(folder, location.href).href);
  } catch {
    return undefined;
  }
}

export function installHint(model: string): string {
  if (model === TINY_MODEL_ID) return 'Recreate it with `npx tsx scripts/make-tiny-bert.ts`.';
  return `Install it with \`npm run models:fetch -- ${model}\` (or copy its files into public/models/${model}/), or use the built-in featurizer instead.`;
}

interface Where {
  model: string;
  dtype: ModelDtype;
  /** The model folder as the user would look for it (a path or URL). */
  folder: string;
}

const join = (folder: string, rel: string): string => `${folder.replace(/\/+$/, '')}/${rel}`;

/** Looks for the folder's files before transformers.js does, so a problem is named precisely. */
export async function checkModelFolder(where: Where, probe: FileProbe): Promise<EncoderError | null> {
  const { model, dtype, folder } = where;
  const weights = onnxFileFor(dtype);
  const [config, tokenizer, onnx] = await Promise.all([probe('config.json'), probe('tokenizer.json'), probe(weights)]);
  if (config === false && tokenizer === false && onnx === false) {
    return new EncoderError(
      `Model "${model}" is not installed: ${folder} has no config.json, tokenizer.json or ${weights}. ${installHint(model)}`,
      'model-missing',
      folder,
    );
  }
  for (const rel of REQUIRED_FILES) {
    if ((await probe(rel)) === false) {
      return new EncoderError(
        `Model "${model}" is incomplete: ${join(folder, rel)} is missing. ${installHint(model)}`,
        'model-file-missing',
        join(folder, rel),
      );
    }
  }
  if (onnx === false) return wrongLayout(where, probe);
  return null;
}

async function wrongLayout(where: Where, probe: FileProbe): Promise<EncoderError> {
  const { model, dtype, folder } = where;
  const weights = onnxFileFor(dtype);
  const found: string[] = [];
  for (const [d, suffix] of Object.entries(DTYPE_SUFFIX)) {
    for (const rel of [`onnx/model${suffix}.onnx`, `model${suffix}.onnx`]) {
      if (rel !== weights && (await probe(rel)) === true) found.push(`${rel} (${rel.startsWith('onnx/') ? `dtype '${d}'` : 'outside onnx/'})`);
    }
  }
  const file = join(folder, weights);
  if (found.length === 0) {
    return new EncoderError(`Model "${model}" has no weights for dtype '${dtype}': ${file} is missing. ${installHint(model)}`, 'model-file-missing', file);
  }
  return new EncoderError(
    `Model "${model}" is laid out wrongly for dtype '${dtype}': ${file} is missing, but the folder has ${found.join(', ')}. ` +
      `transformers.js loads dtype '${dtype}' from ${weights} only: rename or move the int8 file there, choose the dtype that matches the file you have, or reinstall the model. ${installHint(model)}`,
    'model-wrong-layout',
    file,
  );
}

/** Turns what transformers.js or ONNX Runtime threw into an EncoderError that names the file. */
export async function explainLoadError(e: unknown, where: Where, probe: FileProbe | undefined): Promise<EncoderError> {
  if (e instanceof EncoderError) return e;
  const { model, dtype, folder } = where;
  const message = e instanceof Error ? e.message : String(e);
  const weights = join(folder, onnxFileFor(dtype));

  const notFound = /file was not found locally at "([^"]+)"|Could not locate file:?\s*"?([^"\s]+)"?/.exec(message);
  if (notFound || (e instanceof Error && e.name === 'ModelFileNotFoundError')) {
    if (probe) {
      const diagnosis = await checkModelFolder(where, probe);
      if (diagnosis) return diagnosis;
    }
    const file = notFound?.[1] ?? notFound?.[2] ?? folder;
    if (/\/config\.json$/.test(file)) {
      return new EncoderError(`Model "${model}" is not installed (or incomplete): ${file} was not found. ${installHint(model)}`, 'model-missing', file);
    }
    return new EncoderError(`Model "${model}" is incomplete: ${file} was not found. ${installHint(model)}`, 'model-file-missing', file);
  }

  // ONNX Runtime: "Load model from X failed:Protobuf parsing failed." (Node), "Can't create a
  // session ... protobuf parsing failed" / "failed to load model" (web).
  if (/protobuf|Load model from|create a session|failed to load model|invalid model|ModelProto/i.test(message)) {
    const file = /Load model from (\S+) failed/.exec(message)?.[1] ?? weights;
    return new EncoderError(
      `The model file ${file} is damaged or not an ONNX model (ONNX Runtime said: ${message.trim()}). Delete it and reinstall. ${installHint(model)}`,
      'model-corrupt',
      file,
    );
  }

  // An HTML page or a cut-off download where JSON was expected.
  if (e instanceof SyntaxError || /JSON|Unexpected token|Unexpected end/i.test(message)) {
    return new EncoderError(
      `A settings file of model "${model}" (config.json, tokenizer.json or tokenizer_config.json in ${folder}) is not valid JSON: ${message}. ` +
        `It may be damaged, or the server answered with a web page because the file is missing. ${installHint(model)}`,
      'model-corrupt',
      folder,
    );
  }

  return new EncoderError(`Model "${model}" (dtype '${dtype}') could not be loaded from ${folder}: ${message}`, 'model-load-failed', folder);
}
