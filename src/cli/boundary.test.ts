// The CLI's edges, in process: what reaches the terminal (control characters), the --out folder
// (checked before the work), the pseudonymisation key file, and advice that names only real options.
import fc from 'fast-check';
import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliWarning } from './advice';
import { HELP } from './args';
import { KeyFileError, loadOrMakeKey, parseKey } from './keyFile';
import { OutDirError, prepareOutDir } from './outDir';
import { REPLACEMENT, stdJson, terminalLine, terminalSafe } from './terminal';

/** Every character a terminal acts on, except the \t and \n the CLI writes itself. */
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe('terminalSafe', () => {
  it('leaves no control character, bidi override or escape sequence, for any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (s) => {
        const out = terminalSafe(s);
        expect(out).not.toMatch(UNSAFE);
        // Safe text passes unchanged.
        if (!UNSAFE.test(s)) expect(out).toBe(s);
      }),
      { numRuns: 2000, seed: 5 },
    );
  });

  it('neutralises CSI, OSC, one-byte CSI and RTL override, and keeps tabs, newlines and text', () => {
    const evil = 'a\u001b[2J\u001b]0;title\u0007b\u009b31mc\u202etxt.exe\r\nd\te\rf\u007f';
    const out = terminalSafe(evil);
    expect(out).toBe(`a${REPLACEMENT}[2J${REPLACEMENT}]0;title${REPLACEMENT}b${REPLACEMENT}31mc${REPLACEMENT}txt.exe\nd\te${REPLACEMENT}f${REPLACEMENT}`);
    expect(terminalLine('one\ntwo')).toBe('one two');
  });

  it('stdJson escapes C1 and bidi characters as \\u escapes and round-trips', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => {
        const text = stdJson({ s, list: [s] });
        expect(text).not.toMatch(UNSAFE);
        expect(JSON.parse(text)).toEqual({ s, list: [s] });
      }),
      { numRuns: 1000, seed: 6 },
    );
    expect(stdJson('\u001b[31m')).toBe('"\\u001b[31m"');
  });
});

describe('prepareOutDir', () => {
  const root = mkdtempSync(join(tmpdir(), 'seqlens-out-'));

  it('makes a missing folder (and its parents) and proves it writable, leaving no probe', () => {
    const dir = join(root, 'a', 'b', 'c');
    expect(prepareOutDir(dir)).toBe(dir);
    expect(statSync(dir).isDirectory()).toBe(true);
    expect(prepareOutDir(dir)).toBe(dir);
  });

  it('refuses a file, a path under a file, and a folder where an output file goes, naming --out', () => {
    const file = join(root, 'file.txt');
    writeFileSync(file, 'x');
    expect(() => prepareOutDir(file)).toThrow(OutDirError);
    expect(() => prepareOutDir(file)).toThrow(/--out .*file\.txt: that is a file/);
    expect(() => prepareOutDir(join(file, 'sub', 'deeper'))).toThrow(/--out .*: cannot be a folder/);
    const dir = join(root, 'taken');
    prepareOutDir(join(dir, 'assignments.csv'));
    expect(() => prepareOutDir(dir, ['assignments.csv'])).toThrow(/assignments\.csv there is not a file/);
  });

  it('refuses a folder that cannot be made or written (and never hangs on /proc)', () => {
    if (process.platform === 'linux') expect(() => prepareOutDir('/proc/seqlens-no/such')).toThrow(/--out .*cannot be made/);
    const locked = join(root, 'locked');
    prepareOutDir(locked);
    chmodSync(locked, 0o500);
    // Root writes anyway; everyone else gets the message.
    if (process.getuid?.() !== 0) expect(() => prepareOutDir(locked)).toThrow(/files cannot be written in this folder: permission denied/);
    chmodSync(locked, 0o700);
  });
});

describe('the pseudonymisation key file', () => {
  const root = mkdtempSync(join(tmpdir(), 'seqlens-key-'));

  it('is made (mode 600, 64 hex digits) when missing, then read back as the same key', () => {
    const path = join(root, 'k.hex');
    const made = loadOrMakeKey(path, root);
    expect(made.made).toBe(true);
    expect(made.warning).toMatch(/keep it secret/);
    expect(readFileSync(path, 'utf8')).toMatch(/^[0-9a-f]{64}\n$/);
    if (process.platform !== 'win32') expect(statSync(path).mode & 0o777).toBe(0o600);
    const again = loadOrMakeKey(path, root);
    expect(again.made).toBe(false);
    expect(again.warning).toBeNull();
    expect(Array.from(again.secret)).toEqual(Array.from(made.secret));
  });

  it('without --key-file lies in the output folder, with a warning to move it', () => {
    const out = mkdtempSync(join(root, 'out-'));
    const k = loadOrMakeKey(null, out);
    expect(k.path).toBe(join(out, 'pseudonymisation.key'));
    expect(k.warning).toMatch(/move it out before you share the folder/);
    expect(loadOrMakeKey(null, out).warning).toMatch(/move it out/);
  });

  it('refuses a file that is not a key', () => {
    for (const text of ['', 'abc', 'zz'.repeat(32), '0'.repeat(31), 'ab'.repeat(8)]) expect(() => parseKey(text, 'k')).toThrow(KeyFileError);
    expect(parseKey(` ${'0a'.repeat(16)}\n`, 'k')).toEqual(new Uint8Array(16).fill(10));
    const bad = join(root, 'bad.key');
    writeFileSync(bad, 'not a key');
    expect(() => loadOrMakeKey(bad, root)).toThrow(/bad\.key: not a pseudonymisation key/);
    expect(() => loadOrMakeKey(root, root)).toThrow(/not a file/);
  });
});

describe('advice', () => {
  it("names only the CLI's own options, never the app's settings", () => {
    const app = [
      'No sequence passed the filters: lower the minimum sequence length or raise the bot limit.',
      'Every row was rejected: check the reasons below and the column mapping.',
      'The log has no user column, so it cannot be grouped by user: group by session instead.',
      'No item (product) column was recognised among "a", "b". Choose which column holds the item id in the column mapping.',
      'Column "price" is named like a price column, but only 1 of its first 9 values fit, so it was not used. Fix the values; or choose the column\'s role in the column mapping.',
    ];
    const options = new Set([...HELP.matchAll(/--[a-z][a-z-]*/g)].map((m) => m[0]));
    for (const w of app) {
      const said = cliWarning(w);
      expect(said).not.toMatch(/minimum sequence length|bot limit|reasons below|column mapping|learning rate/i);
      expect(said.length).toBeGreaterThan(20);
      for (const m of said.matchAll(/--[a-z][a-z-]*/g)) expect(options.has(m[0]), m[0]).toBe(true);
    }
  });
});
