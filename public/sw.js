// SeqLens offline service worker (registered in kiosk mode only, see src/ui/kiosk/boot.tsx).
//
// On install it precaches everything a full analysis needs from this origin: the app shell, every
// built asset reachable from it (found by following the hashed file names each built file mentions,
// so no build manifest is needed: the worker bundle, lazy chunks and ONNX Runtime's wasm are found
// the same way), the tfjs wasm backend's files (kept by name, so listed by the build in
// tfjs-wasm/files.json, see vite.config.ts), the demo log, and the model catalogue with the files of
// each model that is installed (a model not installed is skipped). Afterwards:
//   - built files (hashed names) and model files are served cache-first; what is fetched is added to
//     the cache, so anything the precache missed is there after its first use;
//   - everything else of this origin (page loads, the demo, the model catalogue and the build's list
//     of model files, models/installed.json) goes to the network
//     first, so a new build or catalogue is picked up, and falls back to the cache when it is gone;
//   - HEAD requests (the catalogue checks model files with them) likewise, answered offline from
//     the cached GET.
// Requests to other origins are never touched (the CSP forbids them anyway).
/* eslint-disable no-restricted-globals */
'use strict';

// v2: models/installed.json is network-first (a v1 worker would have kept its first copy for good).
const VERSION = 'v2';
const CACHE = `seqlens-offline-${VERSION}`;
const BASE = new URL(self.registration.scope).pathname; // ends with '/'
const SHELL = `${BASE}index.html`;
const DEMO = `${BASE}demo/uci-online-retail-demo.csv`;
const MODELS = `${BASE}models/manifest.json`;
/** The build's list of the model files it serves (src/worker/modelIndex.ts); changes with the build like the catalogue. */
const MODEL_INDEX = `${BASE}models/installed.json`;
const TFJS_WASM = `${BASE}tfjs-wasm/`;
/** Vite's hashed output names, e.g. index-BX-U_zis.js, ort-wasm-simd-threaded.asyncify-CxOG5pUO.wasm. */
const HASHED = /[A-Za-z0-9_.-]+-[A-Za-z0-9_-]{8}\.(?:js|mjs|css|wasm)(?![A-Za-z0-9_.-])/g;
const TEXT = /\.(?:js|mjs|css|html)$/;

/**
 * Whether a response is worth keeping: a whole 200 of our origin, and no HTML except the shell
 * (the preview server answers a missing file with the app's index.html, which the model catalogue
 * reads as "not installed": caching it would only waste space).
 */
function keep(response, url) {
  if (response.status !== 200 || response.type !== 'basic') return false;
  return url === SHELL || !(response.headers.get('content-type') ?? '').includes('text/html');
}

async function put(cache, url) {
  const response = await fetch(url, { cache: 'no-cache' });
  if (!keep(response, url)) return null;
  await cache.put(url, response.clone());
  return response;
}

/** The shell and every built file it leads to. */
async function precacheBuild(cache) {
  const seen = new Set();
  const queue = [SHELL];
  while (queue.length > 0) {
    const url = queue.shift();
    if (seen.has(url)) continue;
    seen.add(url);
    const response = await put(cache, url).catch(() => null);
    if (!response || !TEXT.test(new URL(url, self.location.origin).pathname)) continue;
    const text = await response.text();
    for (const name of new Set(text.match(HASHED) ?? [])) {
      const next = `${BASE}assets/${name}`;
      if (!seen.has(next)) queue.push(next);
    }
  }
}

/**
 * The tfjs wasm backend's .wasm files (the behaviour model trains on them): the build writes their
 * names to tfjs-wasm/files.json from the list it copies (src/worker/tfjsAssets.ts). The list itself
 * is not kept; the files are then served network-first like the demo (same names in a new build).
 */
async function precacheTfjsWasm(cache) {
  const response = await fetch(`${TFJS_WASM}files.json`, { cache: 'no-cache' });
  // A build without the list: the preview server answers with the app's page, which is no JSON.
  const list = response.ok ? await response.json().catch(() => null) : null;
  const files = list && Array.isArray(list.files) ? list.files : [];
  for (const name of files) if (typeof name === 'string') await put(cache, TFJS_WASM + name).catch(() => null);
}

/** The catalogue, the build's list of model files, and the files of each installed model. */
async function precacheModels(cache) {
  const response = await put(cache, MODELS).catch(() => null);
  if (!response) return;
  const manifest = await response.json().catch(() => null);
  const models = manifest && Array.isArray(manifest.models) ? manifest.models : [];
  const indexResponse = await put(cache, MODEL_INDEX).catch(() => null);
  const index = indexResponse ? await indexResponse.json().catch(() => null) : null;
  const served = index && typeof index.files === 'object' && index.files !== null ? index.files : null;
  for (const model of models) {
    if (!model || typeof model.id !== 'string' || !Array.isArray(model.files)) continue;
    const root = `${BASE}models/${model.id}/`;
    if (served) {
      // The list says which files are there: nothing is asked for that is not.
      const have = Array.isArray(served[model.id]) ? served[model.id] : [];
      for (const file of model.files) if (have.includes(file)) await put(cache, root + file).catch(() => null);
      continue;
    }
    // A build without the list: a model's first file tells whether it is installed at all.
    const first = await put(cache, root + model.files[0]).catch(() => null);
    if (!first) continue;
    for (const file of model.files.slice(1)) await put(cache, root + file).catch(() => null);
  }
}

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      await precacheBuild(cache);
      await precacheTfjsWasm(cache).catch(() => null);
      await put(cache, DEMO).catch(() => null);
      await precacheModels(cache);
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) if (name.startsWith('seqlens-') && name !== CACHE) await caches.delete(name);
      await self.clients.claim();
    })(),
  );
});

/** Network first, the cached copy (under `key`) when the network is gone: for files that may change in place. */
async function networkFirst(request, key) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (keep(response, key)) await cache.put(key, response.clone());
    return response;
  } catch (e) {
    const cached = await cache.match(key, { ignoreVary: true });
    if (cached) return cached;
    throw e;
  }
}

/** Built files have their hash in the name and model files are pinned: never changed in place. */
function immutable(pathname) {
  return pathname.startsWith(`${BASE}assets/`) || (pathname.startsWith(`${BASE}models/`) && pathname !== MODELS && pathname !== MODEL_INDEX);
}

async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  // ignoreVary: the preview server answers `Vary: Origin`, and a module script's request carries an
  // Origin header that the precache's fetch did not: the same file all the same.
  const cached = await cache.match(request, { ignoreVary: true });
  if (cached) return cached;
  const response = await fetch(request);
  // Only whole, successful answers: a missing model must not stay missing once it is installed.
  if (keep(response, new URL(request.url).pathname)) await cache.put(request, response.clone());
  return response;
}

/** The model catalogue checks files with HEAD: answered from the cached GET when there is one, so it sees them offline. */
async function head(request) {
  try {
    return await fetch(request);
  } catch (e) {
    const cached = await (await caches.open(CACHE)).match(request, { ignoreMethod: true, ignoreVary: true });
    if (!cached) throw e;
    return new Response(null, { status: cached.status, statusText: cached.statusText, headers: cached.headers });
  }
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' && request.method !== 'HEAD') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || !url.pathname.startsWith(BASE)) return;
  if (request.method === 'HEAD') return event.respondWith(head(request));
  // Range requests and the service worker itself go to the network as usual.
  if (request.headers.has('range') || url.pathname === `${BASE}sw.js`) return;
  if (request.mode === 'navigate') event.respondWith(networkFirst(request, SHELL));
  else if (immutable(url.pathname)) event.respondWith(cacheFirst(request));
  else event.respondWith(networkFirst(request, url.pathname + url.search));
});
