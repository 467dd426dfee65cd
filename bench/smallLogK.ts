// The suggested K on small logs: generated logs with planted segments (behaviour: how people shop;
// taste: what they buy, generateLog's personas), a few dozen to a few hundred customers, each run through the CLI's default path (behaviour BERT, graph network,
// sweep 2..15, the suggested K) in a child process, as a merchant runs it; then the K it chose and
// the adjusted Rand index of its assignments.csv against the planted segments.
//
//   npx tsx bench/smallLogK.ts [--cases b40:3:1,t80:4:1] [--cli /path/to/checkout]
//
// A case is [b|t]users:segments:seed (bench/lib/plantedLogs.ts). --cli runs another checkout's CLI on the same files (before/after).

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { adjustedRandIndex } from '../src/pipeline/cluster';
import { plantedUserLabels } from '../src/pipeline/synth';
import { markdownTable } from './lib/format';
import { describeMachine, loadAverage, machineInfo } from './lib/machine';
import { plantedLog } from './lib/plantedLogs';

const DEFAULT_CASES =
  'b30:3:2,b40:3:1,b50:3:2,b50:4:5,b60:4:2,b60:3:3,b70:4:4,b80:4:1,b90:5:4,b100:4:2,b100:3:3,b110:3:4,b120:5:2,b140:6:3,t40:3:1,t60:4:2,t80:4:3,t100:5:4,t120:3:5,t150:6:6';

const { values: flags } = parseArgs({
  options: { cases: { type: 'string', default: DEFAULT_CASES }, cli: { type: 'string', default: '.' } },
  strict: true,
});
const root = resolve(flags.cli ?? '.');
const cases = (flags.cases ?? DEFAULT_CASES).split(',');
const dir = mkdtempSync(join(tmpdir(), 'smallk-'));
const rows: string[][] = [];
let sum = 0;
const load0 = loadAverage();
for (const spec of cases) {
  const { kind, users, segments, seed, log, chunks } = plantedLog(spec);
  const file = join(dir, `${kind}${users}_${segments}_${seed}.csv`);
  writeFileSync(file, [...chunks()].join(''));
  const out = join(dir, 'out');
  rmSync(out, { recursive: true, force: true });
  const text = execFileSync('npx', ['tsx', join(root, 'src/cli/analyze.ts'), file, '--out', out], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const why = text.split('\n').find((l) => l.startsWith('suggested K')) ?? '';
  const planted: number[] = [];
  const found: number[] = [];
  const assigned = readFileSync(join(out, 'assignments.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((r) => r.split(','));
  const truth = plantedUserLabels(
    log,
    assigned.map((r) => r[0]),
  );
  assigned.forEach((r, x) => {
    if (truth[x] < 0 || Number(r[1]) < 0) return;
    planted.push(truth[x]);
    found.push(Number(r[1]));
  });
  const ari = adjustedRandIndex(Int32Array.from(planted), Int32Array.from(found));
  sum += ari;
  const k = new Set(found).size;
  console.error(`  ${kind}, ${users} customers, ${segments} segments, seed ${seed}: K = ${k}, ARI ${ari.toFixed(3)}`);
  rows.push([kind, String(users), String(segments), String(seed), String(k), ari.toFixed(3), why.replace(/^suggested K = \d+: /, '').slice(0, 140)]);
}
rmSync(dir, { recursive: true, force: true });
console.log(`### Suggested K on small logs (${root})\n`);
console.log(describeMachine(machineInfo(), { 'Load average': `${load0.toFixed(2)} before, ${loadAverage().toFixed(2)} after` }));
console.log(`\n${markdownTable(['segments by', 'customers', 'planted segments', 'seed', 'suggested K', 'ARI', 'why'], rows)}`);
console.log(`\nMean ARI over ${rows.length} logs: ${(sum / rows.length).toFixed(3)}`);
