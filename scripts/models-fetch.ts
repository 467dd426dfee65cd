// `npx tsx scripts/models-fetch.ts [MODEL] [--base-url URL] [--revision REV] [--out DIR]
//  [--allow-unverified] [--list]`: installs a model's pinned files (models.manifest.json) under
// public/models/<MODEL>/, where the app loads them with remote loading switched off.
//
// Every file is downloaded into `<file>.part` and only renamed into place once its size and
// sha256 match the pin, so a half-finished or tampered download is never mistaken for a model.
// An interrupted transfer is resumed with an HTTP Range request, within a run (a few retries)
// and across runs (the .part file stays).

import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';

export interface PinnedFile {
  /** Path inside the model folder, '/'-separated. */
  path: string;
  /** Bytes; null when not pinned (unverified entries). */
  size: number | null;
  sha256: string | null;
}

export interface PinnedModel {
  revision: string;
  /** False until every file has a trustworthy size and sha256. */
  verified: boolean;
  files: PinnedFile[];
  description?: string;
  dims?: number;
}

export interface Manifest {
  baseUrl: string;
  models: Record<string, PinnedModel>;
}

export type FetchErrorCode = 'offline' | 'http' | 'checksum' | 'size' | 'unverified' | 'unknown-model' | 'interrupted';

export class FetchError extends Error {
  constructor(
    message: string,
    readonly code: FetchErrorCode,
  ) {
    super(message);
    this.name = 'FetchError';
  }
}

export interface FetchOptions {
  model: string;
  manifest: Manifest;
  /** Folder that holds model folders (public/models). */
  outRoot: string;
  /** Replaces the manifest's base URL; may be a template with {model}, {revision} and {path}. */
  baseUrl?: string;
  revision?: string;
  allowUnverified?: boolean;
  /** Retries of a transfer that breaks off (each resumes where the last stopped). Default 4. */
  retries?: number;
  /** Wait before retry n is n times this. Default 1000 ms. */
  retryDelayMs?: number;
  /** A transfer with no data for this long counts as broken off. Default 60 s. */
  idleTimeoutMs?: number;
  log?: (line: string) => void;
  /** Progress of the current file, for a live line on a terminal. */
  onProgress?: (file: string, bytes: number, total: number | null) => void;
}

export interface FetchedFile {
  path: string;
  size: number;
  sha256: string;
  status: 'downloaded' | 'resumed' | 'present';
}

export const DEFAULT_MODEL = 'Xenova/all-MiniLM-L6-v2';

/** Network failures that mean the host cannot be reached at all (as opposed to a broken transfer). */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ENETDOWN', 'UND_ERR_CONNECT_TIMEOUT']);

export function loadManifest(path: string): Manifest {
  const m = JSON.parse(readFileSync(path, 'utf8')) as Manifest;
  if (typeof m.baseUrl !== 'string' || typeof m.models !== 'object') throw new Error(`${path} is not a model manifest (needs baseUrl and models).`);
  return m;
}

/** Accepts the full id or its last part ("all-MiniLM-L6-v2"). */
export function resolveModelId(manifest: Manifest, name: string): string {
  if (manifest.models[name]) return name;
  const matches = Object.keys(manifest.models).filter((id) => id.split('/').pop()?.toLowerCase() === name.toLowerCase());
  if (matches.length === 1) return matches[0];
  throw new FetchError(
    `Unknown model "${name}". Pinned models: ${Object.keys(manifest.models).join(', ')}. Add new ones to models.manifest.json with their sizes and sha256.`,
    'unknown-model',
  );
}

export function fileUrl(base: string, model: string, revision: string, path: string): string {
  if (base.includes('{')) return base.replaceAll('{model}', model).replaceAll('{revision}', encodeURIComponent(revision)).replaceAll('{path}', path);
  return `${base.replace(/\/+$/, '')}/${model}/resolve/${encodeURIComponent(revision)}/${path}`;
}

export async function fetchModel(opts: FetchOptions): Promise<{ dir: string; files: FetchedFile[] }> {
  const id = resolveModelId(opts.manifest, opts.model);
  const pin = opts.manifest.models[id];
  const log = opts.log ?? (() => {});
  if (!pin.verified && !opts.allowUnverified) {
    throw new FetchError(
      `The pins of "${id}" in models.manifest.json are not verified (no trustworthy sha256), so its files cannot be checked. ` +
        `Rerun with --allow-unverified to download it anyway and print the sizes and sha256 to pin, or pick a verified model: ` +
        `${Object.keys(opts.manifest.models)
          .filter((m) => opts.manifest.models[m].verified)
          .join(', ')}.`,
      'unverified',
    );
  }
  const base = opts.baseUrl ?? opts.manifest.baseUrl;
  const revision = opts.revision ?? pin.revision;
  const dir = join(opts.outRoot, ...id.split('/'));
  const files: FetchedFile[] = [];
  for (const f of pin.files) {
    const url = fileUrl(base, id, revision, f.path);
    const dest = join(dir, ...f.path.split('/'));
    const got = await installFile(url, dest, f, { ...opts, model: id, dir });
    files.push(got);
    log(`${got.status.padEnd(10)} ${f.path} (${formatBytes(got.size)})`);
    if (f.sha256 === null) log(`  unverified: pin it as { "path": "${f.path}", "size": ${got.size}, "sha256": "${got.sha256}" }`);
  }
  return { dir, files };
}

async function installFile(url: string, dest: string, pin: PinnedFile, opts: FetchOptions & { dir: string }): Promise<FetchedFile> {
  if (existsSync(dest)) {
    const have = await measure(dest);
    if (matches(have, pin)) return { path: pin.path, ...have, status: 'present' };
    opts.log?.(`${pin.path}: the installed copy does not match its pin; downloading it again.`);
  }
  const part = `${dest}.part`;
  const retries = opts.retries ?? 4;
  const delay = opts.retryDelayMs ?? 1000;
  let resumed = false;
  for (let attempt = 0; ; attempt++) {
    try {
      const r = await transfer(url, part, pin, opts);
      resumed ||= r.resumed;
      break;
    } catch (e) {
      if (e instanceof FetchError || attempt >= retries) {
        if (e instanceof FetchError) throw e;
        throw new FetchError(
          `Downloading ${url} broke off ${attempt + 1} times (${errorText(e)}). What arrived is kept in ${part}; rerun the same command to resume from there.`,
          'interrupted',
        );
      }
      opts.log?.(`${pin.path}: transfer broke off (${errorText(e)}); resuming (retry ${attempt + 1} of ${retries}).`);
      resumed = true;
      await new Promise((r) => setTimeout(r, delay * (attempt + 1)));
    }
  }

  const got = await measure(part);
  if (pin.size !== null && got.size !== pin.size) {
    await rm(part, { force: true });
    throw new FetchError(
      `${pin.path} from ${url} has ${got.size} bytes, but ${pin.size} are pinned. The download was deleted and nothing was installed; the server may hold another revision (check --base-url / --revision).`,
      'size',
    );
  }
  if (pin.sha256 !== null && got.sha256 !== pin.sha256.toLowerCase()) {
    await rm(part, { force: true });
    throw new FetchError(
      `Checksum mismatch for ${pin.path} from ${url}: sha256 ${got.sha256}, but ${pin.sha256} is pinned. The download was deleted and nothing was installed. ` +
        `The file was damaged in transit or the server (a mirror?) serves another revision; rerun, or check --base-url / --revision.`,
      'checksum',
    );
  }
  await rename(part, dest);
  return { path: pin.path, ...got, status: resumed ? 'resumed' : 'downloaded' };
}

/** One HTTP request: appends to the .part file from where it ends. Throws plain errors for broken transfers (retried). */
async function transfer(url: string, part: string, pin: PinnedFile, opts: FetchOptions & { dir: string }): Promise<{ resumed: boolean }> {
  let offset = existsSync(part) ? statSync(part).size : 0;
  if (pin.size !== null && offset > pin.size) {
    await rm(part, { force: true });
    offset = 0;
  }
  if (pin.size !== null && offset === pin.size) return { resumed: true };

  const controller = new AbortController();
  const idleMs = opts.idleTimeoutMs ?? 60_000;
  let timer = setTimeout(() => controller.abort(new Error(`no data for ${idleMs / 1000} s`)), idleMs);
  const touch = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(new Error(`no data for ${idleMs / 1000} s`)), idleMs);
  };
  try {
    let res: Response;
    try {
      res = await fetch(url, { headers: offset > 0 ? { Range: `bytes=${offset}-` } : {}, signal: controller.signal, redirect: 'follow' });
    } catch (e) {
      const code = causeCode(e);
      if (code && UNREACHABLE.has(code)) throw offline(url, code, opts);
      throw e;
    }
    if (res.status === 416 && offset > 0) return { resumed: true }; // the .part already holds everything
    if (res.status === 429 || res.status >= 500) throw new Error(`HTTP ${res.status} ${res.statusText}`);
    if (res.status !== 200 && res.status !== 206) {
      throw new FetchError(
        `HTTP ${res.status} ${res.statusText} for ${url}. ` +
          (res.status === 404 ? 'The pinned revision or file is not on this server; check --base-url and --revision.' : 'The server refused the download.'),
        'http',
      );
    }
    let append = false;
    if (res.status === 206) {
      const start = /^bytes (\d+)-/.exec(res.headers.get('content-range') ?? '')?.[1];
      if (Number(start) !== offset) throw new Error(`the server resumed at byte ${start ?? '?'} instead of ${offset}`);
      append = true;
    }
    // A 200 to a Range request means the server sends the whole file again: start over.
    // The folder is made only now, so that an offline run leaves no empty model folder behind.
    await mkdir(dirname(part), { recursive: true });
    const fh = await open(part, append ? 'a' : 'w');
    let bytes = append ? offset : 0;
    try {
      if (!res.body) throw new Error('empty response body');
      for await (const chunk of res.body) {
        touch();
        await fh.write(chunk);
        bytes += chunk.byteLength;
        opts.onProgress?.(pin.path, bytes, pin.size);
      }
    } finally {
      await fh.close();
    }
    if (pin.size !== null && bytes < pin.size) throw new Error(`the connection closed after ${bytes} of ${pin.size} bytes`);
    return { resumed: append };
  } finally {
    clearTimeout(timer);
  }
}

function offline(url: string, code: string, opts: FetchOptions & { dir: string }): FetchError {
  const host = new URL(url).host;
  return new FetchError(
    `Cannot reach ${host} (${code}): this machine seems to be offline, or the host is blocked. ` +
      `Nothing was changed in ${opts.dir} beyond files already completed (an interrupted file stays as .part and resumes next time). ` +
      `Rerun when online; or use a mirror with --base-url URL (or SEQLENS_MODEL_BASE_URL); or copy the files listed for ${opts.model} in models.manifest.json into ${opts.dir} by hand.`,
    'offline',
  );
}

function causeCode(e: unknown): string | undefined {
  // undici wraps socket errors: TypeError('fetch failed', { cause: { code } }), sometimes nested.
  let c: unknown = e;
  for (let depth = 0; c && depth < 4; depth++) {
    const code = (c as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    const errors = (c as { errors?: unknown[] }).errors;
    if (Array.isArray(errors) && errors.length > 0) c = errors[0];
    else c = (c as { cause?: unknown }).cause;
  }
  return undefined;
}

function errorText(e: unknown): string {
  const code = causeCode(e);
  const message = e instanceof Error ? e.message : String(e);
  return code && !message.includes(code) ? `${message}: ${code}` : message;
}

async function measure(path: string): Promise<{ size: number; sha256: string }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { size, sha256: hash.digest('hex') };
}

function matches(have: { size: number; sha256: string }, pin: PinnedFile): boolean {
  return (pin.size === null || have.size === pin.size) && (pin.sha256 === null || have.sha256 === pin.sha256.toLowerCase());
}

function formatBytes(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} kB` : `${n} B`;
}

// ---------------------------------------------------------------------------------------------
// Command line.

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const USAGE = `usage: npx tsx scripts/models-fetch.ts [MODEL] [--base-url URL] [--revision REV] [--out DIR]
                                    [--manifest FILE] [--allow-unverified] [--list]
  MODEL      a model pinned in models.manifest.json (default ${DEFAULT_MODEL})
  --base-url download from a mirror instead of the manifest's base URL (also SEQLENS_MODEL_BASE_URL);
             either a hub-like root (URL/<model>/resolve/<revision>/<file>) or a template using
             {model}, {revision} and {path}
  --out      folder for model folders (default public/models)`;

class UsageError extends Error {}

const OPTIONS = {
  'base-url': { type: 'string' },
  revision: { type: 'string' },
  out: { type: 'string' },
  manifest: { type: 'string' },
  'allow-unverified': { type: 'boolean' },
  list: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsOptionsConfig;

async function main(argv: string[]): Promise<number> {
  let model: string | undefined;
  let baseUrl = process.env.SEQLENS_MODEL_BASE_URL || undefined;
  let revision: string | undefined;
  let out = join(ROOT, 'public', 'models');
  let manifestPath = join(ROOT, 'models.manifest.json');
  let allowUnverified = false;
  let list = false;
  // strict: false, so that every argument comes back as a token, in order (--help after a bad
  // option still reports the option first, as before), with this script's own messages.
  const { tokens } = parseArgs({ args: argv, options: OPTIONS, strict: false, allowPositionals: true, tokens: true });
  for (const t of tokens) {
    const a = argv[t.index];
    if (t.kind === 'positional' && !a.startsWith('-')) {
      if (model !== undefined) throw new UsageError('Only one model at a time.');
      model = a;
      continue;
    }
    // A lone `-` and `--` too, as before.
    if (t.kind !== 'option' || t.rawName !== a || !Object.hasOwn(OPTIONS, t.name)) throw new UsageError(`Unknown option ${a}.`);
    const value = (): string => {
      if (t.value === undefined) throw new UsageError(`${a} needs a value.`);
      return t.value;
    };
    if (t.name === 'base-url') baseUrl = value();
    else if (t.name === 'revision') revision = value();
    else if (t.name === 'out') out = resolve(value());
    else if (t.name === 'manifest') manifestPath = resolve(value());
    else if (t.name === 'allow-unverified') allowUnverified = true;
    else if (t.name === 'list') list = true;
    else if (t.name === 'help') {
      console.log(USAGE);
      return 0;
    }
  }
  const manifest = loadManifest(manifestPath);
  if (list) {
    for (const [id, m] of Object.entries(manifest.models)) {
      const bytes = m.files.every((f) => f.size !== null) ? formatBytes(m.files.reduce((s, f) => s + (f.size ?? 0), 0)) : 'size not pinned';
      console.log(`${id}${m.verified ? '' : ' (unverified)'}: ${m.files.length} files, ${bytes}${m.description ? ` - ${m.description}` : ''}`);
    }
    return 0;
  }
  const tty = process.stderr.isTTY;
  let lastDraw = 0;
  const { dir } = await fetchModel({
    model: model ?? DEFAULT_MODEL,
    manifest,
    outRoot: out,
    baseUrl,
    revision,
    allowUnverified,
    log: (line) => {
      if (tty) process.stderr.write('\r\x1b[K');
      console.error(line);
    },
    onProgress: (file, bytes, total) => {
      const now = Date.now();
      if (!tty || now - lastDraw < 200) return;
      lastDraw = now;
      process.stderr.write(`\r\x1b[K${file}: ${formatBytes(bytes)}${total ? ` of ${formatBytes(total)}` : ''}`);
    },
  });
  console.log(`Installed in ${dir}`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      if (e instanceof UsageError) {
        console.error(`${e.message}\n${USAGE}`);
        process.exit(2);
      }
      console.error(e instanceof FetchError ? `models-fetch: ${e.message}` : e);
      process.exit(1);
    },
  );
}
