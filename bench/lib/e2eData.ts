// The end-to-end benchmark's input: a seeded REES46-shaped CSV of an exact size (events, users,
// catalogue items), written once and cached under bench/.data/ (git-ignored). The name carries the
// generator's format version and every parameter, so a different size never reuses a stale file.

import { closeSync, existsSync, mkdirSync, openSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { csvChunks, generateLog, SYNTH_FORMAT_VERSION, type SynthParams } from '../../src/pipeline/synth';

export interface E2eSize {
  events: number;
  users: number;
  items: number;
  seed: number;
}

export interface E2eFile {
  path: string;
  bytes: number;
  params: SynthParams;
  generated: boolean;
  generateMs: number;
}

export function e2eParams(s: E2eSize): SynthParams {
  return { seed: s.seed, events: s.events, users: s.users, items: s.items, segments: 6, categories: 24 };
}

export function ensureE2eCsv(dataDir: string, size: E2eSize): E2eFile {
  const params = e2eParams(size);
  const path = join(dataDir, `e2e-rees46-v${SYNTH_FORMAT_VERSION}-seed${size.seed}-${size.events}e-${size.users}u-${size.items}i.csv`);
  if (existsSync(path)) return { path, bytes: statSync(path).size, params, generated: false, generateMs: 0 };
  mkdirSync(dataDir, { recursive: true });
  const t0 = performance.now();
  // Written under a temporary name and renamed at the end: an interrupted run must not leave a
  // truncated file that later runs would take for the cache.
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    for (const chunk of csvChunks(generateLog(params))) writeSync(fd, chunk);
  } catch (e) {
    closeSync(fd);
    unlinkSync(tmp);
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, path);
  return { path, bytes: statSync(path).size, params, generated: true, generateMs: performance.now() - t0 };
}
