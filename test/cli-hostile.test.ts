// `npm run analyze` given hostile input, as a process: exit codes 0/1/2 only and never a stack
// trace; --out refused before any work; a file with nothing to analyse exits 1 with its top reasons;
// no escape sequence from the file reaches the terminal; the privacy options on a small log.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCsv } from './lib/testCsv';

const dir = mkdtempSync(join(tmpdir(), 'seqlens-hostile-'));

function cli(args: string[]) {
  const res = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/analyze.ts', ...args], { encoding: 'utf8', timeout: 120_000 });
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}

/** Nothing a terminal would act on (tabs and newlines are the CLI's own; a lone CR only in progress lines, absent off a TTY). */
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const noStack = (s: string) => expect(s).not.toMatch(/unexpected error|\n\s+at .+:\d+:\d+/);

/** A small, valid log: `users` users with a few sessions each. */
function smallLog(users: number, withUser = true): string {
  const lines = ['event_time,event_type,product_id,category_code,brand,price,user_id,user_session'];
  for (let u = 0; u < users; u++) {
    for (let s = 0; s < 1 + (u % 4); s++) {
      for (let e = 0; e < 3; e++) {
        const item = (u * 7 + s * 3 + e) % 23;
        const t = new Date(Date.UTC(2020, 0, 1 + s, u % 24, e)).toISOString().replace('T', ' ').replace('.000Z', ' UTC');
        lines.push(
          [t, ['view', 'cart', 'purchase'][e], `p${item}`, `cat.c${item % 5}`, `b${item % 3}`, '2.50', withUser ? `user${u}` : '', `s${u}_${s}`].join(','),
        );
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

describe('analyze with hostile input', () => {
  const log = join(dir, 'small.csv');
  writeFileSync(log, smallLog(30));

  it('--out at a file, under a file or where no folder can be made: exit 1 before any reading', () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    const outs = [join(file, 'sub'), ...(process.platform === 'linux' ? ['/proc/seqlens-nope'] : [file])];
    for (const out of outs) {
      const r = cli([log, '--encoder', 'featurizer', '--out', out]);
      expect(r.status, out).toBe(1);
      expect(r.stderr).toMatch(/^analyze: --out /m);
      expect(r.stderr).not.toMatch(/reading|encoding/);
      noStack(r.stderr);
    }
  });

  it('every row rejected: exit 1 with the top reasons and their lines, nothing on stdout', () => {
    const file = join(dir, 'rejected.csv');
    writeFileSync(file, 'user_id,event_type,product_id,event_time\n,view,p1,2020-01-01 10:00:00\n,cart,p2,2020-01-01 10:01:00\n,view,p3,2020-01-01 10:02:00\n');
    for (const extra of [['--k', '2'], ['--json']]) {
      const r = cli([file, '--encoder', 'featurizer', ...extra]);
      expect(r.status, extra.join(' ')).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/every row was rejected \(3 rows\); the top reasons:\n\s+missing user id: 3 rows \(lines 2, 3, 4\)/);
      expect(r.stderr).not.toMatch(/learning rate|reasons below|column mapping/);
      noStack(r.stderr);
    }
  });

  it('no sequence left after the filters: exit 1 naming the option that filtered them', () => {
    const r = cli([log, '--encoder', 'featurizer', '--min-length', '1000']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/no sequence is left to analyse: \d+ shorter than the minimum length \(lower it with --min-length N\)/);
  });

  it('escape sequences in the file name, header and values never reach the terminal raw', () => {
    const name = join(dir, 'evil\u001b[2J\u001b]0;pwned\u0007\u202egpj.csv');
    const lines = smallLog(6).trimEnd().split('\n');
    writeFileSync(name, `${[`${lines[0]},\u001b[31mnote\u009b1m`, ...lines.slice(1).map((l) => `${l},\u001b[2Jx\u202e`)].join('\n')}\n`);
    const text = cli([name, '--encoder', 'featurizer']);
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout).toContain('evil');
    expect(text.stdout + text.stderr).not.toMatch(UNSAFE);
    const json = cli([name, '--encoder', 'featurizer', '--json']);
    expect(json.status).toBe(0);
    expect(json.stdout.trimEnd()).not.toMatch(UNSAFE);
    expect(json.stdout).toContain('\\u001b');
    expect(JSON.parse(json.stdout).file.name).toContain('\u001b[2J');
    const failing = cli([name.replace('.csv', '-missing.csv')]);
    expect(failing.status).toBe(1);
    expect(failing.stderr).not.toMatch(UNSAFE);
  });

  it('fuzzed arguments: exit 0, 1 or 2 only, no stack trace; a 2 names the option', () => {
    const flags = ['--k', '--epochs', '--sweep', '--weight', '--epsilon', '--min-length', '--session-gap', '--by', '--out', '--top', '--json', '--bogus'];
    const values = fc.oneof(fc.constantFrom('1e20', '-1', '2.5', '0', '3', '2..4', 'view=9e9', '\u001b[2J', ''), fc.string({ maxLength: 6 }));
    const argv = fc.array(fc.oneof(fc.constantFrom(...flags), values), { minLength: 1, maxLength: 5 });
    // A file that does not exist: argument checks run first, and nothing valid gets far.
    // Few runs: each is a process start (the in-process fuzzing of the parser is src/cli/args.test.ts).
    const samples = fc.sample(argv, { numRuns: 3, seed: 11 });
    samples.push(['--epochs', '1e20']);
    for (const args of samples) {
      const r = cli([join(dir, 'absent.csv'), ...args]);
      expect([1, 2], JSON.stringify(args)).toContain(r.status);
      noStack(r.stderr);
      expect(r.stderr).not.toMatch(UNSAFE);
      if (r.status === 2) expect(r.stderr).toMatch(/^analyze: .*(--[a-z]|unknown option|one file)/);
    }
  });
});

describe('analyze --out with --pseudonymise and --epsilon', () => {
  it('pseudonymises ids with a kept key, noises profiles per user with a cap, and says what is covered', () => {
    const log = join(dir, 'sessions.csv');
    writeFileSync(log, smallLog(40));
    const out = join(dir, 'private');
    const args = [
      log,
      '--encoder',
      'featurizer',
      '--gcn',
      'off',
      '--by',
      'session',
      '--k',
      '3',
      '--out',
      out,
      '--pseudonymise',
      '--epsilon',
      '2',
      '--sessions-per-user',
      '2',
      '--json',
    ];
    const r = cli(args);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: made a new pseudonymisation key in .*pseudonymisation\.key: keep it secret.*move it out before you share the folder/);
    const keyPath = join(out, 'pseudonymisation.key');
    if (process.platform !== 'win32') expect(statSync(keyPath).mode & 0o777).toBe(0o600);
    const ids = parseCsv(readFileSync(join(out, 'assignments.csv'), 'utf8'))
      .slice(1)
      .map((row) => row[0]);
    expect(ids.length).toBeGreaterThan(40);
    for (const id of ids) expect(id).toMatch(/^u_[0-9a-f]{16}$/);
    expect(readFileSync(join(out, 'assignments.csv'), 'utf8')).not.toMatch(/user\d|s\d+_\d/);
    const doc = JSON.parse(readFileSync(join(out, 'profiles.json'), 'utf8'));
    expect(doc.privacy).toMatchObject({ mechanism: 'laplace', epsilon: 2, unit: 'user', sequencesPerUnit: 2, sensitivity: 70, scale: 35 });
    expect(doc.privacy.covers).toMatch(/given the clustering/);
    expect(doc.privacy.sequencesLeftOut.overCap).toBeGreaterThan(0);
    const report = JSON.parse(r.stdout);
    expect(report.out.privacy).toMatchObject({ pseudonymised: true, profiles: { epsilon: 2, unit: 'user', sensitivity: 70 } });

    // The same key file gives the same pseudonyms.
    const again = join(dir, 'private-again');
    const r2 = cli([log, '--encoder', 'featurizer', '--gcn', 'off', '--by', 'session', '--k', '3', '--out', again, '--pseudonymise', '--key-file', keyPath]);
    expect(r2.status, r2.stderr).toBe(0);
    expect(r2.stderr).not.toMatch(/made a new/);
    const ids2 = parseCsv(readFileSync(join(again, 'assignments.csv'), 'utf8'))
      .slice(1)
      .map((row) => row[0]);
    expect(new Set(ids2)).toEqual(new Set(ids));

    // Sessions without user ids: the guarantee is per session, and the file says so.
    const anon = join(dir, 'anon.csv');
    writeFileSync(anon, smallLog(40, false));
    const r3 = cli([anon, '--encoder', 'featurizer', '--gcn', 'off', '--k', '3', '--out', join(dir, 'anon-out'), '--epsilon', '1']);
    expect(r3.status, r3.stderr).toBe(0);
    const doc3 = JSON.parse(readFileSync(join(dir, 'anon-out', 'profiles.json'), 'utf8'));
    expect(doc3.privacy).toMatchObject({ unit: 'session', neighbours: 'add or remove one session', sensitivity: 35 });
    expect(doc3.privacy.covers).toMatch(/per session, not per person/i);

    // A bad key file is refused before the work.
    const badKey = join(dir, 'bad.key');
    writeFileSync(badKey, 'hello');
    const r4 = cli([log, '--encoder', 'featurizer', '--out', join(dir, 'x'), '--pseudonymise', '--key-file', badKey]);
    expect(r4.status).toBe(1);
    expect(r4.stderr).toMatch(/bad\.key: not a pseudonymisation key/);
    expect(r4.stderr).not.toMatch(/reading/);
  });
});
