// `npm run analyze -- --umap --out DIR`: the map and the three export files, on the bundled demo log
// with the built-in featuriser (fast, and the same on every machine). The demo file is also read
// here independently of the pipeline, to check that no user is recommended an item they had.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../../test/lib/testCsv';
import type { ClusterProfiles } from '../pipeline/profile/types';
import type { AnalysisReport } from '../pipeline/types';
import type { CliClusters, CliExports, CliProfileSummary, CliUmap } from './format';

const DEMO = 'public/demo/uci-online-retail-demo.csv';

type Report = AnalysisReport & { clusters?: CliClusters; umap?: CliUmap; profiles?: CliProfileSummary[]; out?: CliExports };

function cli(args: string[]) {
  const res = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/analyze.ts', ...args], { encoding: 'utf8' });
  return { status: res.status, stdout: res.stdout, stderr: res.stderr, json: () => JSON.parse(res.stdout) as Report };
}

/** A CSV cell as written back to the text it came from (the export neutralises formula-like text with a leading '). */
const unneutralise = (cell: string): string => (/^'[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell);

/** user id -> items with any row in the demo file, read straight from the CSV (not through the pipeline). */
function itemsByUser(): Map<string, Set<string>> {
  const rows = parseCsv(readFileSync(DEMO, 'utf8'));
  const header = rows[0];
  const user = header.indexOf('CustomerID');
  const item = header.indexOf('StockCode');
  const out = new Map<string, Set<string>>();
  for (const r of rows.slice(1)) {
    // The ingest reads UCI's float-formatted ids ("17850.0") as the integer id.
    const u = r[user].trim().replace(/^(\d+)\.0+$/, '$1');
    if (!u) continue;
    let set = out.get(u);
    if (!set) {
      set = new Set();
      out.set(u, set);
    }
    set.add(r[item].trim());
  }
  return out;
}

describe('npm run analyze --umap --out', () => {
  let dir = '';
  let r: Report;
  let assignments: string[][];
  let profiles: ClusterProfiles & { format: string; file: string };
  let recommendations: string[][];

  beforeAll(() => {
    dir = join(mkdtempSync(join(tmpdir(), 'seqlens-export-')), 'out');
    const res = cli([DEMO, '--encoder', 'featurizer', '--k', '4', '--umap', '--out', dir, '--json', '--epochs', '5']);
    expect(res.status, res.stderr).toBe(0);
    r = res.json();
    assignments = parseCsv(readFileSync(join(dir, 'assignments.csv'), 'utf8'));
    profiles = JSON.parse(readFileSync(join(dir, 'profiles.json'), 'utf8'));
    recommendations = parseCsv(readFileSync(join(dir, 'recommendations.csv'), 'utf8'));
    // The whole CLI run (encoder, GCN, sweep, map, per-user recommendations): longer than a hook's default 10 s on a busy 2-core machine.
  }, 120_000);

  it('reports the map: time, trustworthiness in (0, 1], on the clustered vectors', () => {
    const u = r.umap!;
    expect(u.seconds).toBeGreaterThan(0);
    expect(u.trustworthiness15).toBeGreaterThan(0);
    expect(u.trustworthiness15).toBeLessThanOrEqual(1);
    expect(u.exact).toBe(true);
    expect(u.sampleSize).toBe(r.sequences.count);
    expect(u.source).toEqual({ stage: 'gcn', n: r.sequences.count, d: r.clusters!.source.d });
    expect(r.out!.dir).toBe(dir);
  });

  it("assignments.csv: one row per sequence with finite x, y and its cluster's label, then the customers with too little history yet", () => {
    expect(assignments[0]).toEqual(['user_id', 'cluster', 'x', 'y', 'label']);
    const few = r.sequences.filtered.tooShort;
    expect(few).toBeGreaterThan(0);
    expect(assignments).toHaveLength(1 + r.sequences.count + few);
    expect(r.out!.assignments.rows).toBe(assignments.length - 1);
    expect(new Set(assignments.slice(1).map((a) => a[0])).size).toBe(assignments.length - 1);
    for (const [, cluster, x, y, label] of assignments.slice(1 + r.sequences.count))
      expect([cluster, x, y, label]).toEqual(['-1', '', '', 'Too little history yet']);
    const rows = assignments.slice(1, 1 + r.sequences.count);
    expect(new Set(rows.map((a) => a[0])).size).toBe(rows.length);
    const sizes = [0, 0, 0, 0];
    const points = new Set<string>();
    for (const [, cluster, x, y, label] of rows) {
      const c = Number(cluster);
      expect(Number.isInteger(c) && c >= 0 && c < 4, cluster).toBe(true);
      sizes[c]++;
      expect(x).not.toBe('');
      expect(Number.isFinite(Number(x)) && Number.isFinite(Number(y)), `${x},${y}`).toBe(true);
      points.add(`${x},${y}`);
      expect(unneutralise(label)).toBe(profiles.clusters[c].label);
    }
    expect(sizes).toEqual(r.clusters!.sizes);
    // A layout, not every point at one place.
    expect(points.size).toBeGreaterThan(rows.length / 2);
  });

  it('profiles.json: K clusters whose sizes and labels match the clustering and the JSON summary', () => {
    expect(profiles.format).toBe('seqlens-profiles');
    expect(profiles.file).toBe('uci-online-retail-demo.csv');
    expect(profiles.k).toBe(4);
    expect(profiles.clusters.map((c) => c.cluster)).toEqual([0, 1, 2, 3]);
    expect(profiles.clusters.map((c) => c.size)).toEqual(r.clusters!.sizes);
    const few = profiles.tooLittleHistory!;
    expect(few).toMatchObject({ label: 'Too little history yet', size: r.sequences.filtered.tooShort, minLength: 2 });
    expect(r.profiles).toEqual([
      ...profiles.clusters.map((c) => ({ cluster: c.cluster, label: c.label, size: c.size, share: c.share })),
      { cluster: -1, label: 'Too little history yet', size: few.size, share: few.share },
    ]);
    for (const c of profiles.clusters) expect(c.label.length).toBeGreaterThan(0);
  });

  it('recommendations.csv: per user a `new` list of items they never had and an `again` list of items they bought, ranked, with reasons', () => {
    expect(recommendations[0]).toEqual(['user_id', 'cluster', 'label', 'list', 'rank', 'item_id', 'title', 'score', 'reason']);
    const owned = itemsByUser();
    const clusterOf = new Map(assignments.slice(1).map((a) => [unneutralise(a[0]), a[1]]));
    const perUser = new Map<string, { new: string[][]; again: string[][] }>();
    for (const row of recommendations.slice(1)) {
      const id = unneutralise(row[0]);
      if (!perUser.has(id)) perUser.set(id, { new: [], again: [] });
      expect(['new', 'again']).toContain(row[3]);
      perUser.get(id)![row[3] as 'new' | 'again'].push(row);
    }
    expect(recommendations.length - 1).toBe(r.out!.recommendations.rows);
    // The demo is invoices (purchases alone): the lists learn from them.
    expect(r.out!.recommendations.method).toMatch(/; learnt from purchases$/);
    // Every user gets a new list (the demo's catalogue is far larger than any one user's basket);
    // customers with too little history yet come after, in their own group (-1).
    expect(perUser.size).toBe(r.sequences.count + r.sequences.filtered.tooShort);
    expect([...perUser.keys()].filter((id) => clusterOf.has(id)).length).toBe(perUser.size);
    let checked = 0;
    let again = 0;
    for (const [id, lists] of perUser) {
      const had = owned.get(id);
      expect(had, id).toBeDefined();
      for (const name of ['new', 'again'] as const) {
        const rows = lists[name];
        expect(rows.length).toBeLessThanOrEqual(20);
        expect(rows.map((x) => Number(x[4]))).toEqual(rows.map((_, i) => i + 1));
        for (const row of rows) {
          expect(row[1]).toBe(clusterOf.get(id));
          expect(unneutralise(row[2])).toBe(row[1] === '-1' ? 'Too little history yet' : profiles.clusters[Number(row[1])].label);
          expect(had!.has(unneutralise(row[5])), `${id} ${name} ${row[5]}`).toBe(name === 'again');
          expect(Number.isFinite(Number(row[7]))).toBe(true);
          expect(row[8].length).toBeGreaterThan(0);
        }
        const scores = rows.map((x) => Number(x[7]));
        for (let i = 1; i < scores.length; i++) expect(scores[i]).toBeLessThanOrEqual(scores[i - 1]);
      }
      expect(lists.new.length).toBe(20);
      checked += lists.new.length;
      again += lists.again.length;
    }
    expect(checked).toBe(perUser.size * 20);
    expect(again).toBeGreaterThan(r.sequences.count);
    expect(r.out!.recommendations.perUser).toBe(20);
  });

  it('the Parquet files: assignments as the CSV, a vector per sequence, per item and per cluster, as listed in the JSON', async () => {
    const { parquetReadObjects } = await import('hyparquet');
    const read = async (name: string) => parquetReadObjects({ file: new Uint8Array(readFileSync(join(dir, name))).buffer });
    const pq = r.out!.parquet;
    expect(Object.keys(pq).sort()).toEqual(['assignments', 'centroids', 'itemVectors', 'userVectors']);
    expect(pq.assignments!.file).toBe(join(dir, 'assignments.parquet'));
    const a = await read('assignments.parquet');
    expect(a).toHaveLength(assignments.length - 1);
    expect(pq.assignments!.rows).toBe(a.length);
    a.forEach((row, i) => {
      const [id, cluster, x, y, label] = assignments[i + 1];
      expect([row.user_id, row.cluster, row.label]).toEqual([unneutralise(id), Number(cluster), unneutralise(label)]);
      // The CSV writes float32 coordinates in their shortest form; Parquet holds the float32 itself.
      expect(row.x === null ? '' : Math.fround(Number(x))).toBe(row.x === null ? x : row.x);
      expect(row.y === null ? '' : Math.fround(Number(y))).toBe(row.y === null ? y : row.y);
    });
    const d = r.clusters!.source.d;
    const users = await read('user_vectors.parquet');
    expect(users).toHaveLength(r.sequences.count);
    expect(pq.userVectors!.rows).toBe(r.sequences.count);
    expect(users.map((u) => [u.user_id, u.cluster])).toEqual(a.slice(0, r.sequences.count).map((u) => [u.user_id, u.cluster]));
    for (const u of users) expect(u.vector).toHaveLength(d);
    const items = await read('item_vectors.parquet');
    expect(items.length).toBe(pq.itemVectors!.rows);
    expect(items.length).toBeGreaterThan(100);
    expect(new Set(items.map((it) => it.item_id)).size).toBe(items.length);
    const centres = await read('centroids.parquet');
    expect(centres.map((c) => [c.cluster, c.label, c.size])).toEqual(profiles.clusters.map((c) => [c.cluster, c.label, c.size]));
    // Each centre is the mean of its cluster's vectors.
    const c0 = users.filter((u) => u.cluster === 0);
    for (let j = 0; j < d; j += Math.max(1, Math.floor(d / 7)))
      expect(centres[0].vector[j]).toBeCloseTo(c0.reduce((s, u) => s + u.vector[j], 0) / c0.length, 4);
  });
});

describe('npm run analyze --umap without --out', () => {
  it('clusters (suggested K), maps, and writes no files; the text says so', () => {
    const res = cli([DEMO, '--encoder', 'featurizer', '--gcn', 'off', '--sweep', '2..3', '--umap']);
    expect(res.status, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/^K = [23] \(suggested\): sizes /m);
    expect(res.stdout).toMatch(
      /^map: UMAP of the encoder vectors \(243 x 256\), 15 neighbours, \d+ epochs, seed 0, [\d.]+ s; trustworthiness@15 (0\.\d{3}|1\.000) \(exact\)$/m,
    );
    expect(res.stdout).toMatch(/^profiles:$/m);
    expect(res.stdout).not.toMatch(/^wrote to /m);
    expect(res.stderr).toMatch(/^map \(UMAP\) /m);
  });

  it('too few points for trustworthiness with 15 neighbours: null with a note, the map still made', () => {
    const titles = ['red mug', 'blue plate', 'green vase', 'silver spoon', 'oak table', 'wool rug'];
    const lines = ['user_id,item_id,timestamp,title'];
    for (let u = 0; u < 20; u++)
      for (let e = 0; e < 3; e++) lines.push(`u${u},i${(u + e) % 6},2021-01-01T00:${String(10 + e).padStart(2, '0')}:00Z,${titles[(u + e) % 6]}`);
    const file = join(mkdtempSync(join(tmpdir(), 'seqlens-small-')), 'small.csv');
    writeFileSync(file, lines.join('\n'));
    const out = join(mkdtempSync(join(tmpdir(), 'seqlens-export-')), 'out');
    const res = cli([file, '--encoder', 'featurizer', '--gcn', 'off', '--k', '2', '--umap', '--out', out, '--json']);
    expect(res.status, res.stderr).toBe(0);
    const u = res.json().umap!;
    expect(u.trustworthiness15).toBeNull();
    expect(u.warnings.join(' ')).toMatch(/needs more than 30 points; there are 20/);
    const rows = parseCsv(readFileSync(join(out, 'assignments.csv'), 'utf8')).slice(1);
    expect(rows).toHaveLength(20);
    for (const row of rows) expect(Number.isFinite(Number(row[2])) && row[2] !== '').toBe(true);
  });

  it('--umap cannot go with --no-encode; --help documents it', () => {
    const bad = cli([DEMO, '--no-encode', '--umap']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--umap/);
    expect(bad.stderr).toMatch(/usage/);
    const help = cli(['--help']);
    expect(help.stdout).toMatch(/--umap {2,}lay the clustered vectors out in 2-D/);
    expect(help.stdout).toMatch(/user_id,cluster,x,y,label/);
    expect(help.stdout).toMatch(/recommendations\.csv/);
    for (const name of ['user_vectors', 'item_vectors', 'assignments', 'centroids']) expect(help.stdout).toContain(`${name}.parquet`);
  });
});
