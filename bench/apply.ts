// Applying a saved model (#16): a model made from one month of a generated log (the CLI's default
// encoder, the behaviour BERT trained on that log; K = 8; the graph network off) is applied to the
// next month's log, 1M events by 50k customers by default, most of them returning, some new, with
// the same catalogue. Timed, per run: the whole `npm run analyze -- NEXT.csv --apply MODEL --json`
// command (wall and its CPU: start, reading the log, grouping, encoding with the saved BERT,
// assigning, drift, report) and, from its JSON, the apply alone (applied.seconds: from the model's
// bytes to the drift, the log already read). Runs alternate plain and --update.
// The logs and the model are cached under bench/.data/ (git-ignored); the model's training is
// timed once, when it is made.
// Run: nice -n 5 npx tsx bench/apply.ts [--events 1000000] [--users 50000] [--train-events 300000] [--train-users 40000] [--runs 2]
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { benchArgs, intArg } from './lib/args';
import { describeMachine, loadAverage, machineInfo } from './lib/machine';
import { median } from './lib/stats';
import { cachedSynthCsv } from './lib/synthData';

const USAGE = 'usage: nice -n 5 npx tsx bench/apply.ts [--events 1000000] [--users 50000] [--train-events 300000] [--train-users 40000] [--runs 2]';
const v = benchArgs(
  process.argv.slice(2),
  { events: { type: 'string' }, users: { type: 'string' }, 'train-events': { type: 'string' }, 'train-users': { type: 'string' }, runs: { type: 'string' } },
  USAGE,
);
const events = intArg('--events', v.events, 1_000_000, 1, USAGE);
const users = intArg('--users', v.users, 50_000, 1, USAGE);
const trainEvents = intArg('--train-events', v['train-events'], 300_000, 1, USAGE);
const trainUsers = intArg('--train-users', v['train-users'], 40_000, 1, USAGE);
const runs = intArg('--runs', v.runs, 2, 1, USAGE);

const DATA = new URL('./.data/', import.meta.url).pathname;
const K = 8;
const ITEMS = 10_000;
const DAY = 86_400_000;
const OCT = Date.UTC(2019, 9, 1);

/** CPU seconds of the children this process has waited for (/proc/self/stat cutime + cstime, in clock ticks). */
function childCpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 16 and 17 of stat(5); the slice starts at field 3.
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

function analyze(args: string[]): { wall: number; cpu: number; json: Record<string, unknown> } {
  const cpu0 = childCpuSeconds();
  const t0 = performance.now();
  const res = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/analyze.ts', ...args, '--json'], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const wall = (performance.now() - t0) / 1000;
  if (res.status !== 0) {
    process.stderr.write(res.stderr);
    throw new Error(`analyze ${args.join(' ')} exited with ${res.status}`);
  }
  return { wall, cpu: childCpuSeconds() - cpu0, json: JSON.parse(res.stdout) as Record<string, unknown> };
}

const fmt = (x: number, digits = 2): string => x.toFixed(digits);
const int = (x: number): string => x.toLocaleString('en');

const load0 = loadAverage();
console.log(describeMachine(machineInfo(), { 'load average (1 min) before': fmt(load0) }));

// Two months of one shop: the same catalogue; customer ids 500000000 + u, so the first trainUsers
// of the next month's customers may be returning ones.
const train = cachedSynthCsv(join(DATA, `apply-train-seed11-${trainEvents}-${trainUsers}.csv`), {
  seed: 11,
  events: trainEvents,
  users: trainUsers,
  items: ITEMS,
  segments: 6,
  categories: 24,
  startMs: OCT,
  days: 31,
});
const next = cachedSynthCsv(join(DATA, `apply-next-seed12-${events}-${users}.csv`), {
  seed: 12,
  events,
  users,
  items: ITEMS,
  segments: 6,
  categories: 24,
  startMs: OCT + 31 * DAY,
  days: 30,
});
console.log(`training log: ${int(trainEvents)} events, ${int(trainUsers)} customers (${fmt(train.bytes / 2 ** 20, 1)} MiB)`);
console.log(`next log: ${int(events)} events, ${int(users)} customers (${fmt(next.bytes / 2 ** 20, 1)} MiB)`);

const model = join(DATA, `apply-model-seed11-${trainEvents}-${trainUsers}-k${K}.seqlens`);
if (!existsSync(model)) {
  const made = analyze([train.path, '--k', String(K), '--gcn', 'off', '--save-model', model]);
  const encoder = made.json.encoder as { kind?: string } | undefined;
  console.log(
    `model made in ${fmt(made.wall, 1)} s wall, ${fmt(made.cpu, 1)} s CPU (encoder ${encoder?.kind ?? 'default'}): ${int(statSync(model).size)} bytes`,
  );
} else {
  console.log(`model: ${model} (cached, ${int(statSync(model).size)} bytes)`);
}

interface Row {
  update: boolean;
  wall: number;
  cpu: number;
  apply: number;
  kept: number;
  added: number;
  lost: number;
  moved: number;
  assigned: number;
}
const rows: Row[] = [];
for (let r = 0; r < runs * 2; r++) {
  const update = r % 2 === 1;
  const { wall, cpu, json } = analyze([next.path, '--apply', model, ...(update ? ['--update'] : [])]);
  const applied = json.applied as { seconds: number; sizes: number[] };
  const drift = json.drift as { users: { kept: number; new: number; lost: number }; moved: number };
  const row: Row = {
    update,
    wall,
    cpu,
    apply: applied.seconds,
    kept: drift.users.kept,
    added: drift.users.new,
    lost: drift.users.lost,
    moved: drift.moved,
    assigned: applied.sizes.reduce((a, b) => a + b, 0),
  };
  rows.push(row);
  console.log(
    `run ${r + 1}${update ? ' --update' : ''}: command ${fmt(wall)} s wall, ${fmt(cpu)} s CPU; apply alone ${fmt(row.apply)} s; ` +
      `${int(row.assigned)} customers assigned (${int(row.kept)} returning, ${int(row.added)} new; ${int(row.lost)} lapsed; ${int(row.moved)} moved)`,
  );
}

console.log('\n| mode | runs | command wall s (median) | command CPU s | apply alone s | customers assigned |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const update of [false, true]) {
  const rs = rows.filter((r) => r.update === update);
  console.log(
    `| ${update ? '--apply --update' : '--apply'} | ${rs.length} | ${fmt(median(rs.map((r) => r.wall)))} | ${fmt(median(rs.map((r) => r.cpu)))} | ${fmt(median(rs.map((r) => r.apply)))} | ${int(rs[0].assigned)} |`,
  );
}
console.log(`\nload average (1 min) before ${fmt(load0)}, after ${fmt(loadAverage())}`);
