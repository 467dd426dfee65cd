// transformers.js inside the analysis worker. Everything it needs comes from the app's own origin:
// the models from /models/ (or from the browser's store, for models installed from a folder) and
// ONNX Runtime's wasm files as assets of this build (the `?url` imports below make Vite emit them).
// Remote loading is switched off, so nothing is ever asked of huggingface.co or a CDN.

import ortWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';
import ortMjsUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url';
import { createFeaturizer, EncoderError, loadModelEmbedder, type FileProbe, type TextEmbedder } from '../pipeline/encode';
import { FEATURIZER_ID, type ManifestModel } from './manifest';
import { InstalledModelsCache, storeProbe, type InstalledModel } from './modelStore';

type Transformers = typeof import('@huggingface/transformers');

export type DevicePreference = 'auto' | 'wasm' | 'webgpu';
export type UsedDevice = 'wasm' | 'webgpu' | 'cpu';

/** Where model folders are, as a URL path of our origin: '/models/' (or under the app's base). */
export const MODELS_PATH = `${import.meta.env.BASE_URL.replace(/\/?$/, '/')}models/`;

export const installedCache = new InstalledModelsCache(MODELS_PATH);

let transformers: Promise<Transformers> | null = null;

function absolute(url: string): string {
  return new URL(url, self.location.href).href;
}

/** Sets up transformers.js's environment; called before every model load (cheap, idempotent). */
function configure(t: Transformers): void {
  const env = t.env;
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = MODELS_PATH;
  // Model files come from our origin (HTTP-cached) or from our own store, through customCache.
  env.useBrowserCache = false;
  env.useCustomCache = true;
  env.customCache = installedCache;
  const wasm = env.backends.onnx.wasm;
  if (wasm) {
    // A fresh object each time: transformers.js swaps its `mjs` for a blob URL once loaded.
    wasm.wasmPaths = { mjs: absolute(ortMjsUrl), wasm: absolute(ortWasmUrl) };
    wasm.proxy = false;
    // Threads need cross-origin isolation (SharedArrayBuffer); without it ORT runs on one.
    wasm.numThreads = self.crossOriginIsolated ? Math.max(1, Math.min(4, (navigator.hardwareConcurrency || 2) - 1)) : 1;
  }
}

export function loadTransformers(): Promise<Transformers> {
  transformers ??= import('@huggingface/transformers').then((t) => {
    configure(t);
    return t;
  });
  transformers.catch(() => {
    transformers = null;
  });
  return transformers;
}

interface GpuLike {
  requestAdapter(): Promise<{ info?: { isFallbackAdapter?: boolean }; isFallbackAdapter?: boolean } | null>;
}

/** 'webgpu' when this browser has a real (not software fallback) WebGPU adapter, else 'wasm'. */
export async function detectDevice(): Promise<{ device: 'wasm' | 'webgpu'; why: string }> {
  const gpu = (navigator as unknown as { gpu?: GpuLike }).gpu;
  if (!gpu) return { device: 'wasm', why: 'this browser offers no WebGPU' };
  try {
    const adapter = await gpu.requestAdapter();
    if (!adapter) return { device: 'wasm', why: 'WebGPU found no graphics adapter' };
    if (adapter.info?.isFallbackAdapter || adapter.isFallbackAdapter) return { device: 'wasm', why: 'WebGPU offers only a software adapter' };
    return { device: 'webgpu', why: 'WebGPU adapter found' };
  } catch (e) {
    return { device: 'wasm', why: `WebGPU failed (${e instanceof Error ? e.message : String(e)})` };
  }
}

export interface LoadedEmbedder {
  embedder: TextEmbedder;
  device: UsedDevice;
  source: 'origin' | 'browser' | 'built-in';
  /** Things the user should know: a WebGPU fallback, say. */
  notes: string[];
  loadMs: number;
}

export interface ModelSpec {
  id: string;
  manifest?: ManifestModel;
  installed?: InstalledModel;
}

let current: { key: string; loading: Promise<LoadedEmbedder> } | null = null;

/**
 * The embedder for a model, loaded once and kept while the same model is asked for. WebGPU first
 * when available; if the session cannot be created or run there, WASM.
 */
export function getEmbedder(spec: ModelSpec, pref: DevicePreference): Promise<LoadedEmbedder> {
  const key = `${spec.id}|${spec.installed ? `browser:${spec.installed.installedAt}` : 'origin'}|${pref}`;
  if (current?.key === key) return current.loading;
  const previous = current;
  const loading = load(spec, pref);
  current = { key, loading };
  loading.catch(() => {
    if (current?.loading === loading) current = null;
  });
  // One model in memory at a time: the last one goes once the new one is ready.
  void loading.then(
    () => previous?.loading.then((p) => p.embedder.dispose()).catch(() => {}),
    () => {},
  );
  return loading;
}

/** Drops a loaded model (after it was removed or reinstalled). */
export async function forgetEmbedder(id: string): Promise<void> {
  if (!current?.key.startsWith(`${id}|`)) return;
  const { loading } = current;
  current = null;
  await loading.then((p) => p.embedder.dispose()).catch(() => {});
}

async function load(spec: ModelSpec, pref: DevicePreference): Promise<LoadedEmbedder> {
  const t0 = performance.now();
  if (spec.id === FEATURIZER_ID) {
    return { embedder: createFeaturizer(), device: 'cpu', source: 'built-in', notes: [], loadMs: 0 };
  }
  const t = await loadTransformers();
  const notes: string[] = [];
  let device: 'wasm' | 'webgpu' = pref === 'auto' ? (await detectDevice()).device : pref;
  const probe: FileProbe | undefined = spec.installed ? storeProbe(spec.installed) : undefined;
  const open = (d: 'wasm' | 'webgpu') =>
    loadModelEmbedder(t, {
      model: spec.id,
      dtype: spec.installed?.dtype ?? spec.manifest?.dtype ?? 'q8',
      device: d,
      localModelPath: MODELS_PATH,
      maxTokens: spec.manifest?.maxTokens,
      configureEnv: () => configure(t),
      ...(probe ? { probe } : {}),
    });
  let embedder: TextEmbedder;
  try {
    embedder = await open(device);
    // A WebGPU session can be created and still fail on its first run: try one before trusting it.
    if (device === 'webgpu') await embedder.embed(['webgpu check']);
  } catch (e) {
    const retry = device === 'webgpu' && e instanceof EncoderError && (e.code === 'model-load-failed' || e.code === 'embed-failed');
    if (!retry) throw e;
    notes.push(`WebGPU could not run this model (${e.message}); using WASM instead.`);
    device = 'wasm';
    embedder = await open(device);
  }
  return { embedder, device, source: spec.installed ? 'browser' : 'origin', notes, loadMs: performance.now() - t0 };
}
