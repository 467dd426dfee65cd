// Picks and starts the tfjs backend, and says which one really runs. 'auto' prefers WebGPU where
// a GPU adapter exists, then wasm (SIMD; threads where the page is cross-origin isolated), then the
// plain CPU backend. The wasm files are always loaded from our own origin (browser: the URL prefix
// the caller passes) or from node_modules (Node), never from a CDN.

import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { SeqBertError } from './errors';
import type { SeqBertBackendChoice } from './options';
import { isNode } from './runtime';
import type { SeqBertBackend } from './types';

let wasmPathsSet: string | null = null;
let webgpuLoaded = false;

/** The directory of the wasm backend's .wasm files in node_modules (Node only). */
async function nodeWasmDir(): Promise<string> {
  // Specifiers hidden from the bundler: this only runs in Node.
  const moduleSpec = 'node:module';
  const pathSpec = 'node:path';
  const { createRequire } = (await import(/* @vite-ignore */ moduleSpec)) as { createRequire(url: string): { resolve(id: string): string } };
  const path = (await import(/* @vite-ignore */ pathSpec)) as { dirname(p: string): string; sep: string };
  const require = createRequire(import.meta.url);
  return path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + path.sep;
}

async function prepareWasm(wasmPaths: string | null, threads: boolean): Promise<void> {
  // tfjs-backend-wasm reads this flag when it starts: false keeps it on the single-threaded module.
  if (!threads) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  let prefix = wasmPaths;
  if (prefix === null) {
    if (!isNode) throw new SeqBertError('The wasm backend needs the URL its .wasm files are served from (wasmPaths).', 'backend');
    prefix = await nodeWasmDir();
  }
  if (!prefix.endsWith('/') && !prefix.endsWith('\\')) prefix += '/';
  if (wasmPathsSet === prefix) return;
  if (wasmPathsSet !== null) throw new SeqBertError(`The wasm files were already loaded from ${wasmPathsSet}; they cannot be moved to ${prefix}.`, 'backend');
  // The backend itself picks the SIMD module, and the threaded SIMD one where SharedArrayBuffer is
  // usable (a cross-origin isolated page); all three .wasm files live under the same prefix.
  setWasmPaths(prefix);
  wasmPathsSet = prefix;
}

interface AdapterLike {
  info?: { isFallbackAdapter?: boolean };
  isFallbackAdapter?: boolean;
}

/**
 * Whether WebGPU has an adapter; with `hardwareOnly`, a software one (SwiftShader, WARP) does not
 * count: it is correct but far slower than wasm (the demo's one epoch: about 110 s against 5 s), so
 * 'auto' leaves it alone as the GCN and the text encoder do; a forced 'webgpu' still takes it.
 */
async function hasGpuAdapter(hardwareOnly: boolean): Promise<boolean> {
  const gpu = (globalThis as { navigator?: { gpu?: { requestAdapter(): Promise<AdapterLike | null> } } }).navigator?.gpu;
  if (!gpu) return false;
  try {
    const adapter = await gpu.requestAdapter();
    if (adapter == null) return false;
    return !(hardwareOnly && (adapter.info?.isFallbackAdapter || adapter.isFallbackAdapter));
  } catch {
    return false;
  }
}

async function trySet(name: SeqBertBackend): Promise<boolean> {
  try {
    return await tf.setBackend(name);
  } catch {
    return false;
  }
}

/**
 * Starts the backend asked for ('auto': the best available) and returns the one that runs, read
 * back from tf.getBackend(). A forced backend that cannot start is an error, not a fallback.
 */
export async function initBackend(choice: SeqBertBackendChoice = 'auto', wasmPaths: string | null = null, wasmThreads = true): Promise<SeqBertBackend> {
  const order: SeqBertBackend[] = choice === 'auto' ? ['webgpu', 'wasm', 'cpu'] : [choice];
  const reasons: string[] = [];
  for (const name of order) {
    if (tf.getBackend() === name && tf.findBackend(name)) return name;
    if (name === 'webgpu') {
      if (!(await hasGpuAdapter(choice === 'auto'))) {
        reasons.push(choice === 'auto' ? 'webgpu: no hardware GPU adapter' : 'webgpu: no GPU adapter');
        continue;
      }
      if (!webgpuLoaded) {
        await import('@tensorflow/tfjs-backend-webgpu');
        webgpuLoaded = true;
      }
    } else if (name === 'wasm') {
      try {
        await import('@tensorflow/tfjs-backend-wasm');
        await prepareWasm(wasmPaths, wasmThreads);
      } catch (e) {
        reasons.push(`wasm: ${e instanceof Error ? e.message : String(e)}`);
        continue;
      }
    }
    if (await trySet(name)) {
      await tf.ready();
      const running = tf.getBackend();
      if (running !== name) throw new SeqBertError(`Asked tfjs for the ${name} backend but ${running} runs.`, 'backend');
      return name;
    }
    reasons.push(`${name}: did not start`);
  }
  throw new SeqBertError(`No tfjs backend could start (${reasons.join('; ')}).`, 'backend');
}

/** The backend that runs now (after initBackend). */
export function currentBackend(): SeqBertBackend {
  const b = tf.getBackend();
  if (b !== 'webgpu' && b !== 'wasm' && b !== 'cpu') throw new SeqBertError(`Unexpected tfjs backend "${b}".`, 'backend');
  return b;
}
