// A transformers.js feature-extraction model behind TextEmbedder. The transformers.js module is
// passed in rather than imported: the worker brings the web build and sets its wasm paths and
// device, Node tests bring the Node build, and the pipeline code stays free of either.
// Remote loading is always switched off: models are installed ahead of time, never fetched here.

import { EncoderError } from './errors';
import { checkModelFolder, defaultProbe, DTYPE_SUFFIX, explainLoadError, onnxFileFor, type FileProbe, type ModelDtype } from './modelFiles';
import type { TextEmbedder } from './types';

export type DeviceName = 'auto' | 'cpu' | 'wasm' | 'webgpu' | 'gpu' | 'webnn' | 'cuda' | 'dml' | 'coreml';

export interface TransformersEnvLike {
  allowRemoteModels: boolean;
  allowLocalModels: boolean;
  localModelPath: string;
}

/** The part of `@huggingface/transformers` used here; the real module satisfies it. */
export interface TransformersLike {
  env: TransformersEnvLike;
  pipeline(task: 'feature-extraction', model: string, options?: { dtype?: ModelDtype; device?: DeviceName }): Promise<unknown>;
}

export interface ModelEmbedderOptions<Env extends TransformersEnvLike = TransformersEnvLike> {
  /** Model id, a folder under localModelPath ('Xenova/all-MiniLM-L6-v2', 'seqlens-tiny-bert'). */
  model: string;
  /** Default 'q8' (int8 weights, onnx/model_quantized.onnx): a quarter of fp32's download. */
  dtype?: ModelDtype;
  /** Unset: transformers.js chooses (cpu in Node, wasm in the browser). */
  device?: DeviceName;
  /** Where model folders are: a URL path in the browser ('/models/'), a folder in Node. */
  localModelPath?: string;
  /** Last say over the environment before loading, e.g. env.backends.onnx.wasm.wasmPaths. */
  configureEnv?: (env: Env) => void;
  /** Checks the folder's files for precise errors; default: HEAD requests in a browser, none in Node. null: never. */
  probe?: FileProbe | null;
  /**
   * Caps the token window below the model's position limit, e.g. 256 for all-MiniLM-L6-v2, which
   * was trained on 256-token inputs and embeds longer ones less well.
   */
  maxTokens?: number;
}

/** What the feature-extraction pipeline object offers (checked at run time, not trusted). */
interface Extractor {
  (texts: string[], options: { pooling: 'mean'; normalize: boolean }): Promise<{ data: ArrayLike<number>; dims: number[]; dispose?: () => void }>;
  tokenizer: { encode(text: string, options?: { add_special_tokens?: boolean }): number[]; model_max_length?: number };
  model: { config: Record<string, unknown> };
  dispose?: () => Promise<void>;
}

function isExtractor(x: unknown): x is Extractor {
  const e = x as Extractor;
  return typeof x === 'function' && typeof e.tokenizer?.encode === 'function' && typeof e.model?.config === 'object';
}

export async function loadModelEmbedder<M extends TransformersLike>(transformers: M, opts: ModelEmbedderOptions<M['env']>): Promise<TextEmbedder> {
  const dtype = opts.dtype ?? 'q8';
  if (!Object.hasOwn(DTYPE_SUFFIX, dtype)) {
    throw new EncoderError(`Unknown dtype '${String(dtype)}'; use one of ${Object.keys(DTYPE_SUFFIX).join(', ')}.`, 'bad-options');
  }
  const env = transformers.env;
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  if (opts.localModelPath !== undefined) env.localModelPath = opts.localModelPath;
  opts.configureEnv?.(env);
  const folder = `${env.localModelPath.replace(/\/+$/, '')}/${opts.model}`;
  const where = { model: opts.model, dtype, folder };
  const probe = opts.probe === null ? undefined : (opts.probe ?? defaultProbe(folder));

  if (probe) {
    const problem = await checkModelFolder(where, probe);
    if (problem) throw problem;
  }
  let extractor: unknown;
  try {
    extractor = await transformers.pipeline('feature-extraction', opts.model, { dtype, ...(opts.device ? { device: opts.device } : {}) });
  } catch (e) {
    throw await explainLoadError(e, where, probe);
  }
  if (!isExtractor(extractor)) {
    throw new EncoderError(`transformers.js returned something other than a feature-extraction pipeline for "${opts.model}".`, 'model-load-failed', folder);
  }
  return new ModelEmbedder(extractor, opts.model, dtype, opts.device ?? 'auto', `${folder}/${onnxFileFor(dtype)}`, opts.maxTokens);
}

class ModelEmbedder implements TextEmbedder {
  readonly kind = 'model';
  readonly dims: number;
  readonly maxTokens: number;
  readonly specialTokens: number;

  constructor(
    private readonly extractor: Extractor,
    readonly model: string,
    readonly dtype: string,
    readonly device: string,
    private readonly weightsFile: string,
    cap = Infinity,
  ) {
    const config = extractor.model.config;
    const hidden = Number(config.hidden_size ?? config.d_model ?? config.dim);
    if (!(hidden > 0)) throw new EncoderError(`${model}: config.json gives no hidden_size, so the vector size is unknown.`, 'model-load-failed');
    this.dims = hidden;
    // RoBERTa-style models (XLM-R tokenizers) reserve the first two positions for padding.
    const positions = Number(config.max_position_embeddings) - (/roberta/i.test(String(config.model_type)) ? 2 : 0);
    const tokenizerMax = Number(extractor.tokenizer.model_max_length);
    this.maxTokens = Math.min(positions > 0 ? positions : 512, tokenizerMax > 0 ? tokenizerMax : Infinity, cap > 2 ? cap : Infinity);
    this.specialTokens = extractor.tokenizer.encode('', { add_special_tokens: true }).length;
  }

  countTokens(text: string): number {
    return this.extractor.tokenizer.encode(text, { add_special_tokens: false }).length;
  }

  cacheId(): string {
    return `${this.model}@${this.dtype}`;
  }

  async embed(texts: readonly string[]): Promise<Float32Array> {
    if (texts.length === 0) return new Float32Array(0);
    let out: Awaited<ReturnType<Extractor>>;
    try {
      out = await this.extractor([...texts], { pooling: 'mean', normalize: true });
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      throw new EncoderError(`${this.model} failed while embedding (${this.weightsFile}): ${message}`, 'embed-failed', this.weightsFile);
    }
    const [rows, dims] = out.dims;
    if (rows !== texts.length || dims !== this.dims) {
      throw new EncoderError(
        `${this.model} returned vectors of shape [${out.dims.join(', ')}], expected [${texts.length}, ${this.dims}]. Is ${this.weightsFile} the model that config.json describes?`,
        'embed-failed',
        this.weightsFile,
      );
    }
    const data = Float32Array.from(out.data);
    out.dispose?.();
    return data;
  }

  async dispose(): Promise<void> {
    await this.extractor.dispose?.();
  }
}
