// tfjs-core registers no gradient functions by itself; training needs them. A bundler (the app)
// takes core's own register_all_gradients module; Node cannot load that file (extensionless ES
// module imports), so there the union package's Node build registers them into the same global
// registry. The Node specifier is hidden from the bundler so the browser build never includes it.

import { isNode } from './runtime';

let registered: Promise<void> | null = null;

export function registerGradients(): Promise<void> {
  registered ??= (async () => {
    if (isNode) {
      const spec = '@tensorflow/tfjs';
      await import(/* @vite-ignore */ spec);
    } else {
      await import('@tensorflow/tfjs-core/dist/register_all_gradients');
    }
  })();
  return registered;
}
