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

export default defineConfig({
  plugins: [react(), offlineTransformers()],
  worker: { format: 'es', plugins: () => [offlineTransformers()] },
  // Found only once the worker imports it; listed so that the dev server does not reload the page for it.
  optimizeDeps: { include: ['@huggingface/transformers'] },
  build: { target: 'es2022', sourcemap: true },
  server: { host: '127.0.0.1', port: 5173, strictPort: false },
  preview: { host: '127.0.0.1', port: 4173 },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
  },
});
