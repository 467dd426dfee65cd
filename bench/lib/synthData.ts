// The benchmark's synthetic input: a seeded REES46-shaped CSV, written once and cached under
// bench/.data/ (git-ignored). The name carries the generator's format version, the seed and the
// size, so a different generator or size never reuses a stale file.

import { closeSync, existsSync, mkdirSync, openSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { csvChunks, generateLog, SYNTH_FORMAT_VERSION, type SynthParams } from '../../src/pipeline/synth';

export interface SynthFile {
  path: string;
  bytes: number;
  params: SynthParams;
  /** Whether this call had to write it. */
  generated: boolean;
  generateMs: number;
}

/** Shape of the benchmark log: REES46 has ~14 events per user and a long tail of items. */
export function benchParams(events: number, seed: number): SynthParams {
  return {
    seed,
    events,
    users: Math.max(1, Math.round(events / 16)),
    items: Math.min(50_000, Math.max(1_000, Math.round(events / 50))),
    segments: 6,
    categories: 24,
  };
}

export function ensureSynthCsv(dataDir: string, events: number, seed: number): SynthFile {
  return cachedSynthCsv(join(dataDir, `synth-rees46-v${SYNTH_FORMAT_VERSION}-seed${seed}-${events}.csv`), benchParams(events, seed));
}

/** The log of `params` as CSV at `path`, generated only when the file is not there yet. */
export function cachedSynthCsv(path: string, params: SynthParams): SynthFile {
  if (existsSync(path)) return { path, bytes: statSync(path).size, params, generated: false, generateMs: 0 };

  mkdirSync(dirname(path), { recursive: true });
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
