import { defineConfig, type Plugin } from 'vitest/config';
import react from '@vitejs/plugin-react';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { TFJS_WASM_DIR, TFJS_WASM_FILES } from './src/worker/tfjsAssets.ts';
import { buildModelIndex, MODEL_INDEX_FILE } from './src/worker/modelIndex.ts';

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
 * The tfjs wasm backend fetches its .wasm files by name from one URL prefix (setWasmPaths), so they
 * keep their names: served from node_modules by the dev server and copied into the build, both under
 * <base>/tfjs-wasm/ (src/worker/tfjsAssets.ts computes the URL the worker passes). The default
 * would be a CDN. The build also writes the list of those files as <base>/tfjs-wasm/files.json
 * ({ "files": [...] }), which the kiosk's service worker (public/sw.js) reads to precache them:
 * their names carry no hash, so it cannot find them by following the built files.
 */
function tfjsWasmAssets(): Plugin {
  const require = createRequire(import.meta.url);
  const dir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
  const files = new Set<string>(TFJS_WASM_FILES);
  let base = '/';
  return {
    name: 'seqlens-tfjs-wasm',
    configResolved(config) {
      base = config.base.endsWith('/') ? config.base : `${config.base}/`;
    },
    configureServer(server) {
      const prefix = `${base}${TFJS_WASM_DIR}/`;
      server.middlewares.use((req, res, next) => {
        const url = (req.url ?? '').split('?')[0];
        const name = url.startsWith(prefix) ? url.slice(prefix.length) : '';
        if (!files.has(name)) return next();
        // Vite adds server.headers (COOP/COEP) only to what its own middlewares serve.
        for (const [k, v] of Object.entries(server.config.server.headers ?? {})) if (v !== undefined) res.setHeader(k, v);
        res.setHeader('Content-Type', 'application/wasm');
        res.end(readFileSync(path.join(dir, name)));
      });
    },
    generateBundle() {
      for (const name of files) this.emitFile({ type: 'asset', fileName: `${TFJS_WASM_DIR}/${name}`, source: readFileSync(path.join(dir, name)) });
      this.emitFile({ type: 'asset', fileName: `${TFJS_WASM_DIR}/files.json`, source: `${JSON.stringify({ files: [...files] })}\n` });
    },
  };
}

/**
 * models/installed.json: which files of the manifest's models this origin serves (see
 * src/worker/modelIndex.ts), so that the app asks for no model file that is not there. Written into
 * the build from public/models/ as it is at build time, and answered live by the dev server.
 */
function modelIndex(): Plugin {
  let publicDir = 'public';
  let base = '/';
  const index = (): string => {
    const root = path.join(publicDir, 'models');
    let ids: string[] = [];
    try {
      const manifest = JSON.parse(readFileSync(path.join(root, 'manifest.json'), 'utf8')) as { models?: { id?: unknown }[] };
      ids = (manifest.models ?? []).map((m) => m.id).filter((id): id is string => typeof id === 'string');
    } catch {
      // No readable manifest: an empty index, so the app offers the built-in featuriser.
    }
    const list = (id: string): string[] => {
      const dir = path.join(root, id);
      if (!existsSync(dir)) return [];
      return (readdirSync(dir, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
        .filter((e) => e.isFile())
        .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
    };
    return `${JSON.stringify(buildModelIndex(ids, list))}\n`;
  };
  return {
    name: 'seqlens-model-index',
    configResolved(config) {
      publicDir = config.publicDir;
      base = config.base.endsWith('/') ? config.base : `${config.base}/`;
    },
    configureServer(server) {
      const url = `${base}models/${MODEL_INDEX_FILE}`;
      server.middlewares.use((req, res, next) => {
        if ((req.url ?? '').split('?')[0] !== url) return next();
        for (const [k, v] of Object.entries(server.config.server.headers ?? {})) if (v !== undefined) res.setHeader(k, v);
        res.setHeader('Content-Type', 'application/json');
        res.end(index());
      });
    },
    generateBundle() {
      this.emitFile({ type: 'asset', fileName: `models/${MODEL_INDEX_FILE}`, source: index() });
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

/**
 * Cross-origin isolation (COOP + COEP): only an isolated page gets SharedArrayBuffer, which the tfjs
 * wasm backend (and ONNX Runtime) need to run on several threads; without it they run on one. The
 * app loads nothing from other origins, so require-corp costs nothing here. A meta tag cannot set
 * these: a static host must send them as headers (README, "Hosting").
 */
export const CROSS_ORIGIN_ISOLATION_HEADERS: Record<string, string> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

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
  plugins: [react(), offlineTransformers(), contentSecurityPolicyMeta(), tfjsWasmAssets(), modelIndex()],
  worker: { format: 'es', plugins: () => [offlineTransformers()] },
  // Found only once the worker imports it; listed so that the dev server does not reload the page for it.
  optimizeDeps: { include: ['@huggingface/transformers'] },
  // SEQLENS_OUT_DIR: a build folder of its own, so that two e2e runs in one checkout do not overwrite each other's build.
  build: { target: 'es2022', sourcemap: true, outDir: process.env.SEQLENS_OUT_DIR || 'dist' },
  server: { host: '127.0.0.1', port: 5173, strictPort: false, headers: { 'Content-Security-Policy': DEV_CSP, ...CROSS_ORIGIN_ISOLATION_HEADERS } },
  preview: {
    host: '127.0.0.1',
    port: 4173,
    headers: {
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      ...CROSS_ORIGIN_ISOLATION_HEADERS,
    },
  },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
  },
});
