// The CLI's pseudonymisation key. The app keeps its key in the browser; a batch job needs one it can
// reuse, so that the same user gets the same pseudonym in every export: --key-file PATH is read
// when it exists and made there when it does not. Without --key-file the key goes into the --out
// folder as pseudonymisation.key (reused on the next run into that folder), with a warning: anyone
// holding the key and a list of candidate ids can recompute the pseudonyms, so it must not travel
// with the exports.

import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { newPseudonymSecret, PSEUDONYM_SECRET_BYTES } from '../pipeline/export';

export const DEFAULT_KEY_NAME = 'pseudonymisation.key';

export class KeyFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyFileError';
  }
}

const toHex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

/** The key in a key file: hex digits (at least 32, i.e. 16 bytes; we write 64), surrounding whitespace ignored. */
export function parseKey(text: string, path: string): Uint8Array {
  const hex = text.trim();
  if (!/^(?:[0-9a-fA-F]{2}){16,}$/.test(hex)) {
    throw new KeyFileError(
      `${path}: not a pseudonymisation key: it must hold one line of hex digits (${PSEUDONYM_SECRET_BYTES * 2} are written; 32 at least).`,
    );
  }
  return Uint8Array.from(hex.match(/../g)!, (h) => parseInt(h, 16));
}

/**
 * The key to pseudonymise with, and a warning for stderr when a key was made (or when it lies in
 * the output folder). `keyFile` null: DIR/pseudonymisation.key.
 */
export function loadOrMakeKey(keyFile: string | null, outDir: string): { secret: Uint8Array; path: string; made: boolean; warning: string | null } {
  const path = keyFile ?? join(outDir, DEFAULT_KEY_NAME);
  let exists = false;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new KeyFileError(`${path}: the key file is not a file.`);
    exists = true;
  } catch (e) {
    if (e instanceof KeyFileError) throw e;
  }
  const inOut = keyFile === null;
  const keep = inOut ? ` It lies in the output folder: move it out before you share the folder, and pass it with --key-file next time.` : '';
  if (exists) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      throw new KeyFileError(`${path}: the key file cannot be read: ${e instanceof Error ? e.message : String(e)}`);
    }
    return { secret: parseKey(text, path), path, made: false, warning: inOut ? `pseudonyms use the key in ${path}.${keep}` : null };
  }
  const secret = newPseudonymSecret();
  try {
    // wx: never overwrite a key that appeared meanwhile; 600: the key is a secret.
    writeFileSync(path, `${toHex(secret)}\n`, { mode: 0o600, flag: 'wx' });
  } catch (e) {
    throw new KeyFileError(`${path}: a new key cannot be written there: ${e instanceof Error ? e.message : String(e)}`);
  }
  return {
    secret,
    path,
    made: true,
    warning: `made a new pseudonymisation key in ${path}: keep it secret (with it, anyone can recompute the pseudonyms of ids they guess), and reuse it to get the same pseudonyms again.${keep}`,
  };
}
