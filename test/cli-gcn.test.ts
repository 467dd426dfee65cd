// `npm run analyze` with the graph network: --gcn, --epochs, --eval and the `gcn` / `eval` JSON keys,
// on the bundled demo log with the built-in featuriser (fast, and the same on every machine).
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { CliClusters } from '../src/cli/format';
import type { EvalReport } from '../src/pipeline/eval';
import type { GcnReport } from '../src/pipeline/gcn';
import type { AnalysisReport } from '../src/pipeline/types';

const DEMO = 'public/demo/uci-online-retail-demo.csv';

type Report = AnalysisReport & { gcn?: GcnReport; eval?: EvalReport; clusters?: CliClusters };

function cli(args: string[]) {
  const res = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/analyze.ts', ...args], { encoding: 'utf8' });
  return { status: res.status, stdout: res.stdout, stderr: res.stderr, json: () => JSON.parse(res.stdout) as Report };
}

describe('npm run analyze: graph network', () => {
  it('--gcn on --epochs 5 reports the training: epochs, per-epoch loss, graph size', () => {
    const res = cli([DEMO, '--encoder', 'featurizer', '--gcn', 'on', '--epochs', '5', '--json']);
    expect(res.status, res.stderr).toBe(0);
    const g = res.json().gcn!;
    expect(Object.keys(g).sort()).toEqual(['device', 'edges', 'epochs', 'loss', 'nodes']);
    expect(g.device).toBe('cpu');
    expect(g.epochs).toBeGreaterThanOrEqual(1);
    expect(g.epochs).toBeLessThanOrEqual(5);
    expect(g.loss).toHaveLength(g.epochs);
    for (const l of g.loss) expect(Number.isFinite(l)).toBe(true);
    // Decreasing-ish: the last epoch's loss is below the first's.
    expect(g.loss[g.loss.length - 1]).toBeLessThan(g.loss[0]);
    expect(g.nodes).toBeGreaterThan(0);
    expect(g.edges).toBeGreaterThan(0);
  });

  it('--eval adds Recall@20 and NDCG@20 of popularity, encoder, GCN and the exported per-user lists; clustering uses the GCN vectors', () => {
    const res = cli([DEMO, '--encoder', 'featurizer', '--epochs', '5', '--eval', '--k', '3', '--json']);
    expect(res.status, res.stderr).toBe(0);
    const r = res.json();
    const e = r.eval!;
    expect(e.protocol).toMatch(/leave-last-out/);
    expect(e.users).toBeGreaterThan(0);
    for (const metric of [e.recall20, e.ndcg20]) {
      expect(Object.keys(metric).sort()).toEqual(['encoder', 'gcn', 'popularity', 'recommended']);
      for (const v of Object.values(metric)) {
        expect(typeof v).toBe('number');
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(1);
      }
    }
    expect(r.gcn!.epochs).toBeLessThanOrEqual(5);
    expect(r.clusters!.source).toMatchObject({ stage: 'gcn', n: r.sequences.count, d: 64, epochs: r.gcn!.epochs });
  });

  it('--gcn off leaves the gcn key out, and clustering then uses the encoder vectors', () => {
    const res = cli([DEMO, '--encoder', 'featurizer', '--gcn', 'off', '--k', '3', '--json']);
    expect(res.status, res.stderr).toBe(0);
    const r = res.json();
    expect(r).not.toHaveProperty('gcn');
    expect(r).not.toHaveProperty('eval');
    expect(r.clusters!.source).toMatchObject({ stage: 'encoder', d: 256 });
  });

  it('the GCN is off by default without clustering or --eval', () => {
    const res = cli([DEMO, '--encoder', 'featurizer', '--json']);
    expect(res.status, res.stderr).toBe(0);
    expect(res.json()).not.toHaveProperty('gcn');
  });

  it('bad flags exit 2 with a message', () => {
    for (const [args, msg] of [
      [['--epochs', '0'], /--epochs takes a whole number from 1 to 10,000, not "0"/],
      [['--epochs', 'x'], /--epochs takes a whole number/],
      [['--gcn', 'maybe'], /--gcn takes "on" or "off"/],
      [['--eval', '--by', 'session'], /needs --by user/],
      [['--eval', '--no-encode'], /cannot go with --no-encode/],
    ] as const) {
      const res = cli([DEMO, '--encoder', 'featurizer', ...args, '--json']);
      expect(res.status, args.join(' ')).toBe(2);
      expect(res.stderr).toMatch(msg);
    }
  });

  it('--help documents the GCN flags and their default', () => {
    const res = cli(['--help']);
    expect(res.status).toBe(0);
    expect(res.stdout).toMatch(/--gcn on\|off/);
    expect(res.stdout).toMatch(/Default: on when clustering/);
    expect(res.stdout).toMatch(/--epochs N/);
    expect(res.stdout).toMatch(/--eval/);
  });
});
