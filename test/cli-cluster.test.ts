// `npm run analyze` with clustering: --k, --sweep, --out and the `sweep` / `clusters` JSON keys, on
// the bundled demo log with the built-in featuriser (fast, and the same on every machine).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CliClusters, CliEncoderReport, CliSweepEntry } from '../src/cli/format';
import { assignmentsCsv, csvCell, exportText } from '../src/pipeline/export';
import { parseCsv } from './lib/testCsv';
import type { AnalysisReport } from '../src/pipeline/types';

const DEMO = 'public/demo/uci-online-retail-demo.csv';

type Report = AnalysisReport & { encoder?: CliEncoderReport; sweep?: CliSweepEntry[]; clusters?: CliClusters };

function cli(args: string[]) {
  const res = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/analyze.ts', ...args], { encoding: 'utf8' });
  return { status: res.status, stdout: res.stdout, stderr: res.stderr, json: () => JSON.parse(res.stdout) as Report };
}

function tempFile(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'seqlens-cluster-')), name);
  writeFileSync(path, text);
  return path;
}

describe('npm run analyze: clustering', () => {
  it('--sweep 2..5 adds four sweep entries with finite metrics and the suggested clustering', () => {
    const res = cli([DEMO, '--encoder', 'featurizer', '--sweep', '2..5', '--gcn', 'off', '--json']);
    expect(res.status, res.stderr).toBe(0);
    const r = res.json();
    expect(r.sweep!.map((e) => e.k)).toEqual([2, 3, 4, 5]);
    for (const e of r.sweep!) {
      expect(Object.keys(e).sort()).toEqual(['calinskiHarabasz', 'daviesBouldin', 'inertia', 'k', 'silhouette', 'stabilityAri']);
      for (const v of [e.inertia, e.silhouette, e.calinskiHarabasz, e.daviesBouldin, e.stabilityAri]) {
        expect(typeof v).toBe('number');
        expect(Number.isFinite(v)).toBe(true);
      }
      expect(e.silhouette!).toBeGreaterThanOrEqual(-1);
      expect(e.silhouette!).toBeLessThanOrEqual(1);
      expect(e.stabilityAri!).toBeLessThanOrEqual(1);
    }
    // Inertia falls as K grows (best of 3 seeded runs each).
    for (let i = 1; i < 4; i++) expect(r.sweep![i].inertia).toBeLessThan(r.sweep![i - 1].inertia);
    const c = r.clusters!;
    expect(c.chosenBy).toBe('suggested');
    expect(c.k).toBe(c.suggested.k);
    expect(c.suggested.reason).toMatch(/highest mean silhouette/);
    expect(c.sizes).toHaveLength(c.k);
    expect(c.sizes.reduce((a, b) => a + b, 0)).toBe(r.sequences.count);
    expect(c.sizes.every((s) => s > 0)).toBe(true);
    const chosen = r.sweep!.find((e) => e.k === c.k)!;
    expect(c.metrics).toMatchObject({
      inertia: chosen.inertia,
      silhouette: chosen.silhouette,
      calinskiHarabasz: chosen.calinskiHarabasz,
      daviesBouldin: chosen.daviesBouldin,
    });
    expect(c.source).toMatchObject({ stage: 'encoder', n: r.sequences.count, d: 256 });
    expect(c.source.model).toMatch(/^featurizer\//);
    expect(c).toMatchObject({ path: 'cpu', algorithm: 'lloyd', seeds: 3, silhouette: { exact: true, sampleSize: r.sequences.count }, rangeNote: null });
    // The rest of the report is there too.
    expect(r.encoder!.sequences).toBe(r.sequences.count);
    expect(r.users).toBe(250);
  });

  it("--k with --out writes every sequence's cluster to assignments.csv", () => {
    const out = mkdtempSync(join(tmpdir(), 'seqlens-out-'));
    const res = cli([DEMO, '--encoder', 'featurizer', '--sweep', '2..5', '--k', '3', '--out', join(out, 'nested'), '--json']);
    expect(res.status, res.stderr).toBe(0);
    const r = res.json();
    expect(r.clusters!.k).toBe(3);
    expect(r.clusters!.chosenBy).toBe('k');
    expect(r.sweep).toHaveLength(4);
    const file = join(out, 'nested', 'assignments.csv');
    expect(r.clusters!.assignments).toBe(file);
    const lines = parseCsv(readFileSync(file, 'utf8'));
    expect(lines[0]).toEqual(['user_id', 'cluster', 'x', 'y', 'label']);
    // Everyone has a segment: the clustered sequences, then those with too little history (cluster -1).
    const short = r.sequences.filtered.tooShort;
    expect(short).toBeGreaterThan(0);
    expect(lines).toHaveLength(r.sequences.count + short + 1);
    const ids = new Set<string>();
    const counts = [0, 0, 0];
    let rest = 0;
    for (const [id, cluster, x, y, label] of lines.slice(1)) {
      expect(cluster).toMatch(/^(\d+|-1)$/);
      // No --umap: no map coordinates.
      expect([x, y]).toEqual(['', '']);
      expect(label.length).toBeGreaterThan(0);
      ids.add(id);
      if (cluster === '-1') {
        rest++;
        expect(label).toBe('Too little history yet');
      } else counts[Number(cluster)]++;
    }
    expect(ids.size).toBe(r.sequences.count + short);
    expect(counts).toEqual(r.clusters!.sizes);
    expect(rest).toBe(short);
    expect(res.stderr).toMatch(new RegExp(`wrote ${r.sequences.count + short} assignments \\(K = 3\\) to .*assignments\\.csv`));
  });

  it('--k alone computes that K only; text output shows the sweep and the sizes', () => {
    const json = cli([DEMO, '--encoder', 'featurizer', '--k', '4', '--json']);
    expect(json.status, json.stderr).toBe(0);
    const r = json.json();
    expect(r.sweep!.map((e) => e.k)).toEqual([4]);
    expect(r.clusters!.k).toBe(4);
    expect(r.clusters!.sizes.reduce((a, b) => a + b, 0)).toBe(r.sequences.count);
    const text = cli([DEMO, '--encoder', 'featurizer', '--sweep', '2..3', '--gcn', 'off']);
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout).toMatch(
      /^clusters of encoder vectors \(featurizer\/[^,]+, 243 x 256\): k-means lloyd, 3 seeds per K, cpu; silhouette exact on all 243 points$/m,
    );
    expect(text.stdout).toMatch(/^suggested K = [23]: /m);
    expect(text.stdout).toMatch(/^K = [23] \(suggested\): sizes [\d, ]+$/m);
  });

  it('without --k, --sweep or --out nothing is clustered', () => {
    const res = cli([DEMO, '--encoder', 'featurizer', '--json']);
    expect(res.status, res.stderr).toBe(0);
    expect(res.json().sweep).toBeUndefined();
    expect(res.json().clusters).toBeUndefined();
  });

  it('bad clustering flags exit 2 with the usage', () => {
    for (const bad of [
      ['--k', '0'],
      ['--k', '1'],
      ['--k', 'three'],
      ['--k', '2.5'],
      ['--k'],
      ['--k', '41'],
      ['--sweep', '5..2'],
      ['--sweep', '1..4'],
      ['--sweep', '2-5'],
      ['--sweep', '2..41'],
      ['--sweep'],
      ['--k', '7', '--sweep', '2..5'],
      ['--no-encode', '--k', '3'],
      ['--out'],
    ]) {
      const res = cli([DEMO, '--encoder', 'featurizer', ...bad]);
      expect(res.status, bad.join(' ')).toBe(2);
      expect(res.stdout).toBe('');
      expect(res.stderr, bad.join(' ')).toMatch(/usage/);
    }
    const backwards = cli([DEMO, '--sweep', '5..2']);
    expect(backwards.stderr).toMatch(/runs backwards; write 2\.\.5/);
    const help = cli(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/--sweep A\.\.B/);
    expect(help.stdout).toMatch(/assignments\.csv/);
  });

  it('data that cannot be clustered exits 1 with a clear message; too few distinct vectors narrow the sweep with a note', () => {
    // One user: a single sequence.
    const single = tempFile(
      'one-user.csv',
      `user_id,item_id,timestamp,title\n${Array.from({ length: 5 }, (_, i) => `u1,i${i},2021-01-01T00:0${i}:00Z,Mug ${i}`).join('\n')}`,
    );
    const one = cli([single, '--encoder', 'featurizer', '--gcn', 'off', '--k', '2', '--json']);
    expect(one.status).toBe(1);
    expect(one.stdout).toBe('');
    expect(one.stderr).toMatch(/one-user\.csv: the sequences cannot be clustered: There is only one point/);

    // Every user bought the same two things: all vectors are identical.
    const same = tempFile(
      'same.csv',
      'user_id,item_id,timestamp,title\n' +
        Array.from({ length: 12 }, (_, i) => `u${i >> 1},i${i % 2},2021-01-01T00:${String(10 + i).padStart(2, '0')}:00Z,Mug ${i % 2}`).join('\n'),
    );
    const identical = cli([same, '--encoder', 'featurizer', '--gcn', 'off', '--half-life', '0', '--sweep', '2..4', '--json']);
    expect(identical.status).toBe(1);
    expect(identical.stderr).toMatch(/All 6 points are identical, so they cannot be split into K = 2 clusters/);

    // Four kinds of shopper among eight users: the sweep stops at K = 4.
    const four = tempFile(
      'four.csv',
      'user_id,item_id,timestamp,title\n' +
        Array.from(
          { length: 16 },
          (_, i) =>
            `u${i % 8},i${i % 4},2021-01-01T00:${String(10 + i).padStart(2, '0')}:00Z,Title ${['red mug', 'blue plate', 'green vase', 'silver spoon'][i % 4]}`,
        ).join('\n'),
    );
    const narrowed = cli([four, '--encoder', 'featurizer', '--gcn', 'off', '--sweep', '2..6', '--json']);
    expect(narrowed.status, narrowed.stderr).toBe(0);
    expect(narrowed.stderr).toMatch(/note: Only 4 of the 8 sequence vectors are distinct, so the sweep stops at K = 4 instead of 6/);
    const r = narrowed.json();
    expect(r.sweep!.map((e) => e.k)).toEqual([2, 3, 4]);
    expect(r.clusters!.rangeNote).toMatch(/stops at K = 4/);
    const tooMany = cli([four, '--encoder', 'featurizer', '--gcn', 'off', '--k', '5', '--json']);
    expect(tooMany.status).toBe(1);
    expect(tooMany.stderr).toMatch(/Only 4 of the 8 points are distinct, so they cannot be split into K = 5 clusters/);
  });

  it('assignments.csv neutralises cells a spreadsheet would run as formulas', () => {
    expect(csvCell('17850')).toBe('17850');
    for (const [raw, safe] of [
      ['=HYPERLINK("http://x")', `"'=HYPERLINK(""http://x"")"`],
      ['+1', "'+1"],
      ['-5', "'-5"],
      ['@SUM(A1)', "'@SUM(A1)"],
      ['\tx', "'\tx"],
      ['a,b', '"a,b"'],
      ['say "hi"', '"say ""hi"""'],
      ['two\nlines', '"two\nlines"'],
    ]) {
      expect(csvCell(raw), raw).toBe(safe);
    }
    expect(
      exportText(assignmentsCsv({ ids: ['=1+1', 'u2'], labels: Int32Array.from([1, 0]), coords: null, clusterLabels: ['a', '@b'], selection: null })),
    ).toBe("user_id,cluster,x,y,label\r\n'=1+1,1,,,'@b\r\nu2,0,,,a\r\n");

    const users = ['=cmd|calc', '+danger', '-7', '@evil', 'plain', 'with,comma'];
    const lines = ['user_id,item_id,timestamp,title'];
    users.forEach((u, ui) => {
      for (let e = 0; e < 3; e++)
        lines.push(`"${u}",i${(ui + e) % 5},2021-01-01T0${ui}:0${e}:00Z,Item ${['cup', 'lamp', 'rug', 'sofa', 'desk'][(ui + e) % 5]}`);
    });
    const out = mkdtempSync(join(tmpdir(), 'seqlens-out-'));
    const res = cli([tempFile('risky.csv', lines.join('\n')), '--encoder', 'featurizer', '--k', '2', '--out', out, '--json']);
    expect(res.status, res.stderr).toBe(0);
    const text = readFileSync(join(out, 'assignments.csv'), 'utf8');
    expect(text.startsWith('user_id,cluster,x,y,label\r\n')).toBe(true);
    // Raw lines: the neutralised and quoted id cells as a spreadsheet sees them.
    const cells = text
      .trimEnd()
      .split('\r\n')
      .slice(1)
      .map((row) => (row.startsWith('"') ? row.slice(0, row.indexOf('"', 1) + 1) : row.slice(0, row.indexOf(','))));
    expect(cells.sort()).toEqual(["'+danger", "'-7", "'=cmd|calc", "'@evil", '"with,comma"', 'plain'].sort());
  });
});
