// The benchmark's synthetic input: a seeded REES46-shaped CSV, written once and cached under
// bench/.data/ (git-ignored). The name carries the generator's format version, the seed and the
// size, so a different generator or size never reuses a stale file.

import { closeSync, existsSync, mkdirSync, openSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { csvChunks, exportCsvChunks, generateLog, SYNTH_FORMAT_VERSION, type SynthParams } from '../../src/pipeline/synth';

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

/** Version of exportCsvChunks' output: bump it when the same log would be written differently. */
const EXPORT_FORMAT_VERSION = 1;

/**
 * The same kind of log in the shape most real exports have (src/pipeline/synth/exportCsv.ts):
 * REES46's columns without titles, 27% empty category codes, no quoted field anywhere; with
 * `quoteEvery` > 0, one quoted field on every quoteEvery-th row and nothing else changed.
 */
export function ensureExportCsv(dataDir: string, events: number, seed: number, quoteEvery = 0): SynthFile {
  const name = `synth-export-v${SYNTH_FORMAT_VERSION}.${EXPORT_FORMAT_VERSION}-seed${seed}-${events}${quoteEvery > 0 ? `-quote${quoteEvery}` : '-unquoted'}.csv`;
  return cachedSynthCsv(join(dataDir, name), benchParams(events, seed), (log) => exportCsvChunks(log, { quoteEvery }));
}

/** The log of `params` as CSV at `path`, generated only when the file is not there yet. */
export function cachedSynthCsv(
  path: string,
  params: SynthParams,
  write: (log: ReturnType<typeof generateLog>) => Iterable<string> = (log) => csvChunks(log),
): SynthFile {
  if (existsSync(path)) return { path, bytes: statSync(path).size, params, generated: false, generateMs: 0 };

  mkdirSync(dirname(path), { recursive: true });
  const t0 = performance.now();
  // Written under a temporary name and renamed at the end: an interrupted run must not leave a
  // truncated file that later runs would take for the cache.
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    for (const chunk of write(generateLog(params))) writeSync(fd, chunk);
  } catch (e) {
    closeSync(fd);
    unlinkSync(tmp);
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, path);
  return { path, bytes: statSync(path).size, params, generated: true, generateMs: performance.now() - t0 };
}
