// scripts/models-fetch.ts against a local HTTP server: good, corrupted, interrupted and refused downloads.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fetchModel, FetchError, fileUrl, loadManifest, resolveModelId, type Manifest } from '../scripts/models-fetch';

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

// A deterministic "weights" file big enough to be cut in the middle.
const WEIGHTS = new Uint8Array(200_000).map((_, i) => (i * 7919) % 251);
const CONFIG = new TextEncoder().encode('{"model_type":"bert"}\n');

function manifestFor(model: string, files: Record<string, Uint8Array>, extra: Partial<Manifest['models'][string]> = {}): Manifest {
  return {
    baseUrl: 'http://unused.invalid',
    models: {
      [model]: { revision: 'abc123', verified: true, files: Object.entries(files).map(([path, b]) => ({ path, size: b.length, sha256: sha256(b) })), ...extra },
    },
  };
}

interface Served {
  /** What the server sends for a path (may differ from the pin). */
  body: Uint8Array;
  /** Cut the connection after this many bytes on the first request. */
  dropAfter?: number;
}

describe('models-fetch', () => {
  let server: Server;
  let base: string;
  let out: string;
  const routes = new Map<string, Served>();
  const requests: { path: string; range: string | undefined }[] = [];
  const dropped = new Set<string>();

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      requests.push({ path, range: req.headers.range });
      const r = routes.get(path);
      if (!r) {
        res.writeHead(404).end('not found');
        return;
      }
      const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
      const start = m ? Number(m[1]) : 0;
      if (start >= r.body.length && m) {
        res.writeHead(416, { 'Content-Range': `bytes */${r.body.length}` }).end();
        return;
      }
      const slice = r.body.subarray(start);
      res.writeHead(m ? 206 : 200, {
        'Content-Length': slice.length,
        ...(m ? { 'Content-Range': `bytes ${start}-${r.body.length - 1}/${r.body.length}` } : {}),
      });
      if (r.dropAfter !== undefined && !dropped.has(path)) {
        dropped.add(path);
        res.write(slice.subarray(0, r.dropAfter), () => res.destroy());
        return;
      }
      res.end(slice);
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

  beforeEach(() => {
    out = mkdtempSync(join(tmpdir(), 'seqlens-fetch-'));
    routes.clear();
    requests.length = 0;
    dropped.clear();
    return () => rmSync(out, { recursive: true, force: true });
  });

  const serve = (model: string, path: string, s: Served): void => {
    routes.set(`/${model}/resolve/abc123/${path}`, s);
  };
  const run = (manifest: Manifest, model: string, extra: object = {}) =>
    fetchModel({ model, manifest, outRoot: out, baseUrl: base, retryDelayMs: 1, ...extra });

  it('downloads, verifies and installs every pinned file under <out>/<model>/', async () => {
    const m = manifestFor('acme/tiny', { 'config.json': CONFIG, 'onnx/model_quantized.onnx': WEIGHTS });
    serve('acme/tiny', 'config.json', { body: CONFIG });
    serve('acme/tiny', 'onnx/model_quantized.onnx', { body: WEIGHTS });
    const r = await run(m, 'acme/tiny');
    expect(r.dir).toBe(join(out, 'acme', 'tiny'));
    expect(readFileSync(join(out, 'acme/tiny/onnx/model_quantized.onnx'))).toEqual(Buffer.from(WEIGHTS));
    expect(readFileSync(join(out, 'acme/tiny/config.json'))).toEqual(Buffer.from(CONFIG));
    expect(r.files.map((f) => f.status)).toEqual(['downloaded', 'downloaded']);
    expect(existsSync(join(out, 'acme/tiny/onnx/model_quantized.onnx.part'))).toBe(false);

    // A second run finds everything in place and downloads nothing.
    requests.length = 0;
    const again = await run(m, 'acme/tiny');
    expect(again.files.map((f) => f.status)).toEqual(['present', 'present']);
    expect(requests).toEqual([]);
  });

  it('rejects a file whose checksum does not match, and leaves nothing of it behind', async () => {
    const m = manifestFor('acme/tiny', { 'onnx/model_quantized.onnx': WEIGHTS });
    const bad = WEIGHTS.slice();
    bad[1234] ^= 0xff;
    serve('acme/tiny', 'onnx/model_quantized.onnx', { body: bad });
    const e = await run(m, 'acme/tiny').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(FetchError);
    expect((e as FetchError).code).toBe('checksum');
    expect((e as FetchError).message).toContain('Checksum mismatch for onnx/model_quantized.onnx');
    expect((e as FetchError).message).toContain(sha256(bad));
    expect((e as FetchError).message).toContain('deleted');
    expect(existsSync(join(out, 'acme/tiny/onnx/model_quantized.onnx'))).toBe(false);
    expect(existsSync(join(out, 'acme/tiny/onnx/model_quantized.onnx.part'))).toBe(false);
  });

  it('rejects a file of the wrong size the same way', async () => {
    const m = manifestFor('acme/tiny', { 'config.json': CONFIG });
    serve('acme/tiny', 'config.json', { body: new TextEncoder().encode('{}') });
    await expect(run(m, 'acme/tiny')).rejects.toMatchObject({ code: 'size' });
    expect(existsSync(join(out, 'acme/tiny/config.json.part'))).toBe(false);
  });

  it('resumes a dropped connection with an HTTP Range request', async () => {
    const m = manifestFor('acme/tiny', { 'onnx/model_quantized.onnx': WEIGHTS });
    serve('acme/tiny', 'onnx/model_quantized.onnx', { body: WEIGHTS, dropAfter: 65_536 });
    const r = await run(m, 'acme/tiny');
    expect(r.files[0].status).toBe('resumed');
    expect(readFileSync(join(out, 'acme/tiny/onnx/model_quantized.onnx'))).toEqual(Buffer.from(WEIGHTS));
    const ranges = requests.map((q) => q.range);
    expect(ranges[0]).toBeUndefined();
    expect(ranges.length).toBe(2);
    expect(Number(/^bytes=(\d+)-$/.exec(ranges[1] ?? '')?.[1])).toBeGreaterThanOrEqual(65_536);
  });

  it('keeps the .part file when retries run out, and the next run resumes from it', async () => {
    const m = manifestFor('acme/tiny', { 'onnx/model_quantized.onnx': WEIGHTS });
    serve('acme/tiny', 'onnx/model_quantized.onnx', { body: WEIGHTS, dropAfter: 100_000 });
    const e = await run(m, 'acme/tiny', { retries: 0 }).catch((x: unknown) => x);
    expect((e as FetchError).code).toBe('interrupted');
    expect((e as FetchError).message).toMatch(/kept in .*model_quantized\.onnx\.part; rerun the same command to resume/);
    const part = join(out, 'acme/tiny/onnx/model_quantized.onnx.part');
    const kept = readFileSync(part).length;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(WEIGHTS.length);

    requests.length = 0;
    const r = await run(m, 'acme/tiny', { retries: 0 });
    expect(r.files[0].status).toBe('resumed');
    expect(requests.map((q) => q.range)).toEqual([`bytes=${kept}-`]);
    expect(readFileSync(join(out, 'acme/tiny/onnx/model_quantized.onnx'))).toEqual(Buffer.from(WEIGHTS));
  });

  it('starts over when the server ignores the Range header (200 instead of 206)', async () => {
    const m = manifestFor('acme/tiny', { 'onnx/model_quantized.onnx': WEIGHTS });
    serve('acme/tiny', 'onnx/model_quantized.onnx', { body: WEIGHTS });
    mkdirSync(join(out, 'acme/tiny/onnx'), { recursive: true });
    // A stale .part with the wrong bytes: the 206 path would keep them, but this server sends 200.
    writeFileSync(join(out, 'acme/tiny/onnx/model_quantized.onnx.part'), new Uint8Array(10).fill(9));
    const realHandler = server.listeners('request')[0] as (req: IncomingMessage, res: ServerResponse) => void;
    server.removeAllListeners('request');
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      delete req.headers.range;
      realHandler(req, res);
    });
    try {
      await run(m, 'acme/tiny');
    } finally {
      server.removeAllListeners('request');
      server.on('request', realHandler);
    }
    expect(readFileSync(join(out, 'acme/tiny/onnx/model_quantized.onnx'))).toEqual(Buffer.from(WEIGHTS));
  });

  it('says clearly that the machine is offline when the connection is refused', async () => {
    const closed = createServer();
    await new Promise<void>((ok) => closed.listen(0, '127.0.0.1', ok));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((ok) => closed.close(() => ok()));
    const m = manifestFor('acme/tiny', { 'config.json': CONFIG });
    const e = await fetchModel({ model: 'acme/tiny', manifest: m, outRoot: out, baseUrl: `http://127.0.0.1:${port}`, retryDelayMs: 1 }).catch(
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(FetchError);
    expect((e as FetchError).code).toBe('offline');
    expect((e as FetchError).message).toContain(`Cannot reach 127.0.0.1:${port} (ECONNREFUSED)`);
    expect((e as FetchError).message).toMatch(/offline.*--base-url.*SEQLENS_MODEL_BASE_URL/s);
    expect(existsSync(join(out, 'acme'))).toBe(false);
  });

  it('reports a missing file (404) with the URL, and refuses unverified pins unless allowed', async () => {
    const m = manifestFor('acme/tiny', { 'config.json': CONFIG });
    await expect(run(m, 'acme/tiny')).rejects.toThrow(/HTTP 404 .*\/acme\/tiny\/resolve\/abc123\/config\.json.*--revision/);

    const u = manifestFor('acme/new', {}, { verified: false, files: [{ path: 'config.json', size: null, sha256: null }] });
    await expect(run(u, 'acme/new')).rejects.toMatchObject({ code: 'unverified' });
    serve('acme/new', 'config.json', { body: CONFIG });
    const lines: string[] = [];
    const r = await run(u, 'acme/new', { allowUnverified: true, log: (l: string) => lines.push(l) });
    expect(r.files[0].sha256).toBe(sha256(CONFIG));
    expect(lines.join('\n')).toContain(`"sha256": "${sha256(CONFIG)}"`);
  });
});

describe('models.manifest.json', () => {
  const manifest = loadManifest(join(__dirname, '..', 'models.manifest.json'));

  it('pins all-MiniLM-L6-v2 completely, with the published int8 weights', () => {
    const m = manifest.models['Xenova/all-MiniLM-L6-v2'];
    expect(m.verified).toBe(true);
    expect(m.files.find((f) => f.path === 'onnx/model_quantized.onnx')).toEqual({
      path: 'onnx/model_quantized.onnx',
      size: 22972370,
      sha256: 'afdb6f1a0e45b715d0bb9b11772f032c399babd23bfc31fed1c170afc848bdb1',
    });
    for (const f of m.files) {
      expect(f.size).toBeGreaterThan(0);
      expect(f.sha256).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it('the tokenizer pins match the shared copies of the real files', () => {
    const shared = join(__dirname, '..', '..', 'shared', 'models', 'all-MiniLM-L6-v2');
    if (!existsSync(shared)) return;
    for (const f of manifest.models['Xenova/all-MiniLM-L6-v2'].files) {
      if (f.path.startsWith('onnx/')) continue;
      const b = readFileSync(join(shared, f.path));
      expect({ path: f.path, size: b.length, sha256: sha256(b) }).toEqual(f);
    }
  });

  it('has a multilingual model, marked unverified while its checksums are unknown', () => {
    const m = manifest.models['Xenova/paraphrase-multilingual-MiniLM-L12-v2'];
    expect(m).toBeDefined();
    expect(m.files.some((f) => f.path === 'onnx/model_quantized.onnx')).toBe(true);
    if (m.files.some((f) => f.sha256 === null)) expect(m.verified).toBe(false);
  });

  it('builds hub URLs, mirror templates, and accepts short model names', () => {
    expect(fileUrl('https://huggingface.co/', 'Xenova/all-MiniLM-L6-v2', 'main', 'onnx/model_quantized.onnx')).toBe(
      'https://huggingface.co/Xenova/all-MiniLM-L6-v2/resolve/main/onnx/model_quantized.onnx',
    );
    expect(fileUrl('http://mirror/{model}/{path}', 'a/b', 'r', 'x.json')).toBe('http://mirror/a/b/x.json');
    expect(resolveModelId(manifest, 'all-MiniLM-L6-v2')).toBe('Xenova/all-MiniLM-L6-v2');
    expect(() => resolveModelId(manifest, 'nope')).toThrow(/Unknown model "nope"/);
  });
});
