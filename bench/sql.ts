// Assignment in SQL: sql/assign_users.sql in DuckDB (@duckdb/node-api) on generated events, 64-dim
// item vectors and K = 10 centroids, as docs/sql.md runs it. The data is generated INSIDE DuckDB
// (range() and hash(): deterministic whatever the thread count, no file written): users uniform,
// items skewed (a cube of a uniform: a few items get most events), types 70% view, 15% cart, 12%
// purchase, 3% return, times over 90 days; item vector values and centroid values uniform in [-1, 1].
// Timed: the assignment query alone (CREATE TABLE assigned AS <the SQL>: every customer's row is
// made, nothing is fetched), median of --runs, wall and CPU time of this process (DuckDB's threads
// run in it). The generation's time is printed apart.
// Run: nice -n 5 npx tsx bench/sql.ts [--events 10000000] [--users 200000] [--items 20000] [--runs 3] [--threads N]
import { readFileSync } from 'node:fs';
import { benchArgs, intArg } from './lib/args';
import { describeMachine, loadAverage, machineInfo } from './lib/machine';

const USAGE = 'usage: nice -n 5 npx tsx bench/sql.ts [--events 10000000] [--users 200000] [--items 20000] [--runs 3] [--threads N]';
const D = 64;
const K = 10;
const HALF_LIFE_DAYS = 30;

const v = benchArgs(
  process.argv.slice(2),
  { events: { type: 'string' }, users: { type: 'string' }, items: { type: 'string' }, runs: { type: 'string' }, threads: { type: 'string' } },
  USAGE,
);
const events = intArg('--events', v.events, 10_000_000, 1, USAGE);
const users = intArg('--users', v.users, 200_000, 1, USAGE);
const items = intArg('--items', v.items, 20_000, 1, USAGE);
const runs = intArg('--runs', v.runs, 3, 1, USAGE);
const threadsArg = v.threads === undefined ? null : intArg('--threads', v.threads, 1, 1, USAGE);

const SQL = readFileSync(new URL('../sql/assign_users.sql', import.meta.url), 'utf8').replace(
  /CAST\(\s*[0-9.]+\s+AS\s+DOUBLE\s*\)(\s+AS\s+half_life_days)/,
  `CAST(${HALF_LIFE_DAYS} AS DOUBLE)$1`,
);

/** Uniform in [0, 1) from hash(i, salt): the same for any thread count (random() is not). */
const unit = (expr: string, salt: number): string => `(CAST(hash(${expr}, ${salt}) % 1000000007 AS DOUBLE) / 1000000007.0)`;

const cpuSeconds = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

async function main(): Promise<void> {
  let duck: typeof import('@duckdb/node-api');
  try {
    duck = await import('@duckdb/node-api');
  } catch (e) {
    throw new Error(`@duckdb/node-api is not installed (npm install): ${e instanceof Error ? e.message : e}`);
  }
  const machine = machineInfo();
  const loadBefore = loadAverage();
  const instance = await duck.DuckDBInstance.create(':memory:', threadsArg ? { threads: String(threadsArg) } : {});
  const c = await instance.connect();
  const one = async (sql: string): Promise<Record<string, unknown>> => (await c.runAndReadAll(sql)).getRowObjectsJS()[0] as Record<string, unknown>;
  const version = String((await one('SELECT version() AS v')).v);
  const threads = String((await one("SELECT current_setting('threads') AS t")).t);

  const g0 = performance.now();
  const start = Date.UTC(2024, 0, 1);
  const span = 90 * 86_400_000;
  await c.run(`
    CREATE TABLE events AS
    SELECT
      'u' || CAST(hash(i, 1) % ${users} AS VARCHAR) AS user_id,
      'p' || CAST(CAST(FLOOR(${items} * POWER(${unit('i', 2)}, 3)) AS BIGINT) AS VARCHAR) AS item_id,
      CASE WHEN ${unit('i', 3)} < 0.70 THEN 'view' WHEN ${unit('i', 3)} < 0.85 THEN 'cart' WHEN ${unit('i', 3)} < 0.97 THEN 'purchase' ELSE 'return' END AS event_type,
      CAST(${start} + hash(i, 4) % ${span} AS BIGINT) AS ts
    FROM range(${events}) t(i)`);
  await c.run(`
    CREATE TABLE item_vectors AS
    SELECT 'p' || CAST(it AS VARCHAR) AS item_id, CAST(dim AS INTEGER) AS dim, CAST(CAST(2 * ${unit('it * 131 + dim', 5)} - 1 AS FLOAT) AS DOUBLE) AS value
    FROM range(${items}) a(it), range(${D}) b(dim)`);
  await c.run(`
    CREATE TABLE centroids AS
    SELECT CAST(cl AS INTEGER) AS cluster, CAST(dim AS INTEGER) AS dim, CAST(CAST((2 * ${unit('cl * 131 + dim', 6)} - 1) / 8 AS FLOAT) AS DOUBLE) AS value
    FROM range(${K}) a(cl), range(${D}) b(dim)`);
  await c.run(`
    CREATE TABLE event_weights AS
    SELECT * FROM (VALUES ('view', 1.0), ('click', 2.0), ('cart', 3.0), ('purchase', 5.0), ('return', -5.0), ('other', 1.0)) w(event_type, weight)`);
  const genSeconds = (performance.now() - g0) / 1000;
  const counts = await one('SELECT COUNT(*) AS n, COUNT(DISTINCT user_id) AS u, COUNT(DISTINCT item_id) AS it FROM events');
  console.log(
    `generated in DuckDB in ${genSeconds.toFixed(1)} s: ${Number(counts.n).toLocaleString('en')} events, ${Number(counts.u).toLocaleString('en')} customers, ` +
      `${Number(counts.it).toLocaleString('en')} items with events (${items.toLocaleString('en')} x ${D} item vectors), K = ${K}`,
  );

  const wall: number[] = [];
  const cpu: number[] = [];
  let assigned = 0;
  for (let r = 0; r < runs; r++) {
    await c.run('DROP TABLE IF EXISTS assigned');
    const c0 = cpuSeconds();
    const t0 = performance.now();
    await c.run(`CREATE TABLE assigned AS ${SQL}`);
    wall.push((performance.now() - t0) / 1000);
    cpu.push(cpuSeconds() - c0);
    assigned = Number((await one('SELECT COUNT(*) AS n FROM assigned')).n);
    console.log(`run ${r + 1}/${runs}: ${wall[r].toFixed(2)} s wall, ${cpu[r].toFixed(2)} s CPU, ${assigned.toLocaleString('en')} customers assigned`);
  }
  const sizes = (await c.runAndReadAll('SELECT cluster, COUNT(*) AS n FROM assigned GROUP BY cluster ORDER BY cluster')).getRowObjectsJS();
  instance.closeSync();
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const w = median(wall);
  const loadAfter = loadAverage();
  console.log(
    `\nassignment (sql/assign_users.sql, DuckDB ${version}, ${threads} threads): median ${w.toFixed(2)} s wall, ${median(cpu).toFixed(2)} s CPU ` +
      `over ${runs} run(s); ${Math.round(events / w).toLocaleString('en')} events/s; ${assigned.toLocaleString('en')} customers`,
  );
  console.log(`segment sizes: ${sizes.map((s) => `${s.cluster}: ${Number(s.n).toLocaleString('en')}`).join(', ')}`);
  console.log(`load average (1 min): ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after`);
  console.log(describeMachine(machine, { DuckDB: version }));
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
