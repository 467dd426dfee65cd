// `--save-model FILE` and `--apply FILE [--update]` on the bundled demo log (featurizer: quick and
// the same everywhere): the same log gives the same assignments and no drift; a later slice gives a
// drift whose numbers add up, with drift.json, transitions.csv and every customer in
// assignments.csv; a file that is not a usable model is exit 1 with a message saying why.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../../test/lib/testCsv';
import type { CliApplied } from './formatModel';

const DEMO = 'public/demo/uci-online-retail-demo.csv';

interface Drift {
  users: { kept: number; new: number; lost: number };
  sizesBefore: number[];
  sizesAfter: number[];
  transitions: number[][];
  moved: number;
  newItems: number;
  seconds: number;
}
interface Report {
  applied?: CliApplied;
  drift?: Drift;
  model?: { file: string; size: number; k: number };
  clusters?: { k: number };
  sweep?: unknown;
}

function cli(args: string[]) {
  const res = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/analyze.ts', ...args], { encoding: 'utf8' });
  return { status: res.status, stdout: res.stdout, stderr: res.stderr, json: () => JSON.parse(res.stdout) as Report };
}

/** user id -> cluster from an assignments.csv. */
function clustersOf(file: string): Map<string, string> {
  const rows = parseCsv(readFileSync(file, 'utf8'));
  const user = rows[0].indexOf('user_id');
  const cluster = rows[0].indexOf('cluster');
  return new Map(rows.slice(1).map((r) => [r[user], r[cluster]]));
}

describe('npm run analyze --save-model / --apply', () => {
  let dir = '';
  let model = '';
  let saved: Report;

  /** December to April analysed at K = 4 with the featuriser, its exports in `out` and its model in `file`. */
  const saveEarly = (file: string, out: string, gcn: string[]): Report => {
    const res = cli([join(dir, 'early.csv'), '--encoder', 'featurizer', '--k', '4', ...gcn, '--out', out, '--save-model', file, '--json']);
    expect(res.status, res.stderr).toBe(0);
    return res.json();
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'seqlens-model-cli-'));
    model = join(dir, 'demo.seqlens');
    // Trained on December to April, applied to May.
    const lines = readFileSync(DEMO, 'utf8').split('\n');
    const may = (l: string): boolean => /,2011-05-\d\d /.test(l);
    writeFileSync(join(dir, 'early.csv'), `${[lines[0], ...lines.slice(1).filter((l) => l && !may(l))].join('\n')}\n`);
    writeFileSync(join(dir, 'may.csv'), `${[lines[0], ...lines.slice(1).filter(may)].join('\n')}\n`);
    saved = saveEarly(model, join(dir, 'trained'), ['--gcn', 'off']);
  }, 120_000);

  it('saves the model at the chosen K, its size in the JSON', () => {
    expect(saved.model).toEqual({ file: model, size: statSync(model).size, k: 4 });
    expect(saved.clusters?.k).toBe(4);
  });

  it('applied to the same log: the same assignments, nobody moved, no sweep', () => {
    const out = join(dir, 'same');
    const res = cli([join(dir, 'early.csv'), '--apply', model, '--out', out, '--json']);
    expect(res.status, res.stderr).toBe(0);
    const r = res.json();
    expect(r.sweep).toBeUndefined();
    expect(r.applied).toMatchObject({ k: 4, model: { file: model, sourceFile: 'early.csv', size: statSync(model).size, version: 1 } });
    expect(r.applied?.update).toBeNull();
    const d = r.drift!;
    expect(d.users.new).toBe(0);
    expect(d.users.lost).toBe(0);
    expect(d.moved).toBe(0);
    expect(d.sizesAfter).toEqual(d.sizesBefore);
    expect(clustersOf(join(out, 'assignments.csv'))).toEqual(clustersOf(join(dir, 'trained', 'assignments.csv')));
    expect(existsSync(join(out, 'drift.json'))).toBe(true);
  }, 120_000);

  it('applied to a later slice with --update: drift numbers add up, every customer assigned, drift files written', () => {
    const out = join(dir, 'may');
    const res = cli([join(dir, 'may.csv'), '--apply', model, '--update', '--out', out, '--json']);
    expect(res.status, res.stderr).toBe(0);
    const r = res.json();
    const d = r.drift!;
    const assigned = clustersOf(join(out, 'assignments.csv'));
    expect(d.users.kept + d.users.new).toBe(assigned.size);
    expect(d.sizesAfter.reduce((a, b) => a + b, 0)).toBe(assigned.size);
    // Row i: the kept customers of old segment i, as the two assignments files say.
    const before = clustersOf(join(dir, 'trained', 'assignments.csv'));
    const kept = new Array<number>(5).fill(0);
    for (const id of assigned.keys()) {
      const c = before.get(id);
      if (c !== undefined) kept[c === '-1' ? 4 : Number(c)]++;
    }
    expect(d.transitions.map((row) => row.reduce((a, b) => a + b, 0))).toEqual(kept);
    // (The demo's customers all shop before May: none is new there, many lapse.)
    expect(d.users.kept).toBeGreaterThan(0);
    expect(d.users.lost).toBeGreaterThan(0);
    expect(d.newItems).toBeGreaterThan(0);
    expect(r.applied?.update?.shift).toHaveLength(4);
    const transitions = parseCsv(readFileSync(join(out, 'transitions.csv'), 'utf8'));
    expect(transitions[0]).toEqual(['from_cluster', 'from_label', 'to_cluster', 'to_label', 'customers']);
    expect(transitions.length).toBe(1 + 25);
    const json = JSON.parse(readFileSync(join(out, 'drift.json'), 'utf8')) as Drift;
    expect(json.transitions).toEqual(d.transitions);
  }, 120_000);

  it('refuses a foreign, damaged, newer or missing model file with exit 1 and what to do', () => {
    const bytes = readFileSync(model);
    const damaged = join(dir, 'damaged.seqlens');
    writeFileSync(damaged, bytes.subarray(0, bytes.length - 100));
    const newer = join(dir, 'newer.seqlens');
    const b = Buffer.from(bytes);
    b.writeUInt32LE(99, 4);
    writeFileSync(newer, b);
    const cases: [string, RegExp][] = [
      [DEMO, /not a SeqLens model file/],
      [damaged, /damaged/],
      [newer, /made by a newer SeqLens/],
      [join(dir, 'missing.seqlens'), /cannot be opened/],
    ];
    for (const [file, message] of cases) {
      const res = cli([DEMO, '--apply', file]);
      expect(res.status, res.stderr).toBe(1);
      expect(res.stderr).toMatch(message);
      expect(res.stderr).not.toMatch(/unexpected error|at .*\.ts:/);
    }
  }, 120_000);

  it('segments made on the graph network’s vectors: the same log gives the same segments, and the JSON says how well the centres place others', () => {
    const gcnModel = join(dir, 'gcn.seqlens');
    const out = join(dir, 'gcn-trained');
    saveEarly(gcnModel, out, ['--gcn', 'on', '--epochs', '30']);
    const again = join(dir, 'gcn-same');
    const res = cli([join(dir, 'early.csv'), '--apply', gcnModel, '--out', again, '--json']);
    expect(res.status, res.stderr).toBe(0);
    const r = res.json();
    expect(r.drift?.moved).toBe(0);
    expect(clustersOf(join(again, 'assignments.csv'))).toEqual(clustersOf(join(out, 'assignments.csv')));
    // Every clustered customer kept their segment because their history is the same.
    expect(r.applied?.unchanged).toBe(r.applied!.sizes.slice(0, 4).reduce((a, b) => a + b, 0));
    expect(r.applied?.placement).toBeGreaterThan(0);
    expect(r.applied?.placement).toBeLessThanOrEqual(1);
    // Centres made in the encoder's own space place its customers where k-means put them.
    expect(saved.model && cli([join(dir, 'early.csv'), '--apply', model, '--json']).json().applied?.placement).toBeGreaterThanOrEqual(0.99);
  }, 180_000);

  it('refuses options the model settles, and --update without --apply (exit 2)', () => {
    for (const args of [['--apply', model, '--k', '3'], ['--apply', model, '--encoder', 'text'], ['--apply', model, '--by', 'session'], ['--update']]) {
      const res = cli([DEMO, ...args]);
      expect(res.status).toBe(2);
      expect(res.stderr).toMatch(/--apply/);
    }
  });
});
