// The end-to-end benchmark's input: a seeded REES46-shaped CSV of an exact size (events, users,
// catalogue items), written once and cached under bench/.data/ (git-ignored). The name carries the
// generator's format version and every parameter, so a different size never reuses a stale file.

import { join } from 'node:path';
import { SYNTH_FORMAT_VERSION, type SynthParams } from '../../src/pipeline/synth';
import { cachedSynthCsv, type SynthFile } from './synthData';

export interface E2eSize {
  events: number;
  users: number;
  items: number;
  seed: number;
}

export type E2eFile = SynthFile;

export function e2eParams(s: E2eSize): SynthParams {
  return { seed: s.seed, events: s.events, users: s.users, items: s.items, segments: 6, categories: 24 };
}

export function ensureE2eCsv(dataDir: string, size: E2eSize): E2eFile {
  const name = `e2e-rees46-v${SYNTH_FORMAT_VERSION}-seed${size.seed}-${size.events}e-${size.users}u-${size.items}i.csv`;
  return cachedSynthCsv(join(dataDir, name), e2eParams(size));
}
