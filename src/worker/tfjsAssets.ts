// Where the tfjs wasm backend's .wasm files are served from: our own origin, under one folder of
// the build (vite.config.ts copies them there and the dev server serves them from node_modules).
// The backend picks one of the three by what the page allows (SIMD; threads only where the page is
// cross-origin isolated), so all three are shipped.

/** The folder under the app's base URL that holds the .wasm files. */
export const TFJS_WASM_DIR = 'tfjs-wasm';

/** The files of @tensorflow/tfjs-backend-wasm/dist that the backend may fetch. */
export const TFJS_WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'] as const;

/**
 * The absolute URL prefix (ending in '/') to pass as the seqbert `wasmPaths`. Absolute because the
 * backend resolves it from a worker (and, threaded, from a blob: worker), where a relative path
 * would have no usable base. `base` defaults to the build's BASE_URL; `origin` to the current one.
 */
export function tfjsWasmPaths(base: string = import.meta.env.BASE_URL, origin: string = self.location.origin): string {
  const withSlash = base.endsWith('/') ? base : `${base}/`;
  return new URL(`${withSlash}${TFJS_WASM_DIR}/`, origin).href;
}
