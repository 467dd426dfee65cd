// Node's ESM loader refuses directory imports (`import './gradients'`), which tfjs-core's ESM
// files use (dist/register_all_gradients.js: bundlers and vitest resolve them, Node does not).
// (dist/gradients.js sits beside a dist/gradients/ folder, and Node picks the folder.) A resolve
// hook for the benchmark process only: a refused directory import is retried as the file of that
// name, then as the directory's index.js. Import this module before anything that loads tfjs-core's ESM files.

import { register } from 'node:module';

const hook = `
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (e) {
    if (!(e && e.code === 'ERR_UNSUPPORTED_DIR_IMPORT' && specifier.startsWith('.'))) throw e;
    try {
      return await next(specifier + '.js', context);
    } catch {
      return next(specifier + '/index.js', context);
    }
  }
}
`;

register(`data:text/javascript,${encodeURIComponent(hook)}`, import.meta.url);
