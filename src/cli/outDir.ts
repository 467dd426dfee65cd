// --out DIR is checked before any work starts: reading, encoding, training and clustering a large
// log can take minutes, and a folder that cannot take the files must not fail only at the end.

import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export class OutDirError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutDirError';
  }
}

const codeOf = (e: unknown): string => (e && typeof e === 'object' && 'code' in e ? String((e as { code: unknown }).code) : '');

function why(e: unknown): string {
  switch (codeOf(e)) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'the file system is read-only';
    case 'ENOTDIR':
      return 'a part of the path is a file, not a folder';
    case 'EEXIST':
      return 'a file of that name is in the way';
    case 'ENOSPC':
      return 'the disk is full';
    case 'ENAMETOOLONG':
      return 'the path is too long';
    default:
      return e instanceof Error ? e.message : String(e);
  }
}

/**
 * mkdir -p, one level at a time: Node's recursive mkdirSync loops forever on some paths (e.g. under
 * /proc, where mkdir answers ENOENT for a parent that exists).
 */
function makeFolders(abs: string, dir: string): void {
  const missing: string[] = [];
  for (let p = abs; ; ) {
    try {
      if (!statSync(p).isDirectory()) throw new OutDirError(`--out ${dir}: cannot be a folder: ${p} is a file.`);
      break;
    } catch (e) {
      if (e instanceof OutDirError) throw e;
      if (codeOf(e) !== 'ENOENT') throw e;
      missing.push(p);
      const up = dirname(p);
      if (up === p) break;
      p = up;
    }
  }
  for (const p of missing.reverse()) mkdirSync(p);
}

/**
 * Makes DIR (and its parents) if missing, and proves that a file can be written there by writing
 * and removing a small probe file; `names` (the files to come) must be files or absent. Throws OutDirError with a message that names the folder and the
 * reason: DIR is a file, lies under a file, or cannot be written.
 */
export function prepareOutDir(dir: string, names: readonly string[] = []): string {
  const abs = resolve(dir);
  try {
    if (statSync(abs).isFile()) throw new OutDirError(`--out ${dir}: that is a file, not a folder; name a folder (it is made if missing).`);
  } catch (e) {
    if (e instanceof OutDirError) throw e;
    if (codeOf(e) === 'ENOTDIR') throw new OutDirError(`--out ${dir}: cannot be a folder: ${why(e)}.`);
    // Missing: made below.
  }
  try {
    makeFolders(abs, dir);
  } catch (e) {
    if (e instanceof OutDirError) throw e;
    throw new OutDirError(`--out ${dir}: the folder cannot be made: ${why(e)}.`);
  }
  const probe = join(abs, `.seqlens-write-test-${process.pid}`);
  try {
    writeFileSync(probe, '');
  } catch (e) {
    throw new OutDirError(`--out ${dir}: files cannot be written in this folder: ${why(e)}.`);
  }
  rmSync(probe, { force: true });
  // A folder (or anything but a file) where an output file goes would fail the last write.
  for (const name of names) {
    try {
      if (!statSync(join(abs, name)).isFile()) throw new OutDirError(`--out ${dir}: ${name} there is not a file, so it cannot be replaced; move it away.`);
    } catch (e) {
      if (e instanceof OutDirError) throw e;
    }
  }
  return abs;
}
