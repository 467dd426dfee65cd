import { defineConfig, type Plugin } from 'vitest/config';
import react from '@vitejs/plugin-react';

/**
 * transformers.js ships two remote defaults: ONNX Runtime's wasm files on cdn.jsdelivr.net (set as
 * env.backends.onnx.wasm.wasmPaths when the module loads) and huggingface.co as env.remoteHost. The
 * worker overrides both before any model is loaded (wasm files are assets of this build, remote
 * loading is off), but a default that is never used should not be a remote host either: they are
 * rewritten to paths of our own origin that serve nothing, so even a mistake cannot leave the machine.
 */
function offlineTransformers(): Plugin {
  const rewrites: [RegExp, string][] = [
    [/https:\/\/cdn\.jsdelivr\.net\/npm\/onnxruntime-web@\$\{[^}]+\}\/dist\//g, '/__onnxruntime-wasm-paths-not-set__/'],
    [/(remoteHost:\s*)(["'`])https:\/\/huggingface\.co\/\2/g, '$1$2/__remote-models-disabled__/$2'],
  ];
  return {
    name: 'seqlens-offline-transformers',
    enforce: 'pre',
    transform(code, id) {
      if (!/[\\/]@huggingface[\\/]transformers[\\/]dist[\\/]transformers\.web(\.min)?\.js$/.test(id.split('?')[0])) return null;
      let out = code;
      for (const [pattern, replacement] of rewrites) {
        const next = out.replace(pattern, replacement);
        if (next === out) this.warn(`transformers.js: expected remote default ${pattern} not found; check the offline rewrite.`);
        out = next;
      }
      return { code: out, map: null };
    },
  };
}

/**
 * The Content-Security-Policy: the page and its workers may load and connect to our own origin
 * only. 'wasm-unsafe-eval' lets ONNX Runtime compile its WebAssembly (no JS eval); blob: scripts and workers
 * are how a library may start helper threads; inline styles are what ECharts and React's style
 * props set. Served as a header by `vite preview` (a header also binds the workers, which a meta
 * tag does not) and written into the built index.html for any static host.
 */
const CSP_DIRECTIVES: [string, string][] = [
  ['default-src', "'self'"],
  // blob:: ONNX Runtime imports its wasm glue through a blob: URL it makes from our own file.
  ['script-src', "'self' 'wasm-unsafe-eval' blob:"],
  ['worker-src', "'self' blob:"],
  ['connect-src', "'self'"],
  ['img-src', "'self' data: blob:"],
  ['style-src', "'self' 'unsafe-inline'"],
  ['font-src', "'self'"],
  ['object-src', "'none'"],
  ['base-uri', "'self'"],
  ['form-action', "'none'"],
];
export const CONTENT_SECURITY_POLICY = CSP_DIRECTIVES.map(([k, v]) => `${k} ${v}`).join('; ');
/** The dev server adds what hot reloading needs: React's inline preamble and the HMR websocket. */
const DEV_CSP = CSP_DIRECTIVES.map(([k, v]) =>
  k === 'script-src' ? `${k} ${v} 'unsafe-inline'` : k === 'connect-src' ? `${k} ${v} ws://127.0.0.1:* ws://localhost:*` : `${k} ${v}`,
).join('; ');

function contentSecurityPolicyMeta(): Plugin {
  return {
    name: 'seqlens-csp-meta',
    apply: 'build',
    transformIndexHtml() {
      return [{ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: CONTENT_SECURITY_POLICY }, injectTo: 'head-prepend' }];
    },
  };
}

export default defineConfig({
  plugins: [react(), offlineTransformers(), contentSecurityPolicyMeta()],
  worker: { format: 'es', plugins: () => [offlineTransformers()] },
  // Found only once the worker imports it; listed so that the dev server does not reload the page for it.
  optimizeDeps: { include: ['@huggingface/transformers'] },
  // SEQLENS_OUT_DIR: a build folder of its own, so that two e2e runs in one checkout do not overwrite each other's build.
  build: { target: 'es2022', sourcemap: true, outDir: process.env.SEQLENS_OUT_DIR || 'dist' },
  server: { host: '127.0.0.1', port: 5173, strictPort: false, headers: { 'Content-Security-Policy': DEV_CSP } },
  preview: { host: '127.0.0.1', port: 4173, headers: { 'Content-Security-Policy': CONTENT_SECURITY_POLICY, 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer' } },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
  },
});
