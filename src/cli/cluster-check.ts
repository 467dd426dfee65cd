// Recomputes a clustering fixture's reference values with our implementation and prints them as
// one JSON object under the fixture's own keys, so the two can be diffed key by key.
// Usage: tsx src/cli/cluster-check.ts FILE.json [--seed N]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { adjustedRandIndex, calinskiHarabasz, daviesBouldin, kmeans, normalizedMutualInfo, silhouetteScore, trustworthiness } from '../pipeline/cluster';

interface Fixture {
  X: number[][];
  labels_true: number[];
  labels_noisy: number[];
  kmeans?: { k?: number; n_init?: number };
  trustworthiness_first2dims_k5?: number;
}

const USAGE = 'usage: tsx src/cli/cluster-check.ts FILE.json [--seed N]';

function main(argv: string[]): void {
  let parsed: { values: { seed?: string }; positionals: string[] };
  try {
    parsed = parseArgs({ args: argv.slice(2), options: { seed: { type: 'string' } }, allowPositionals: true });
  } catch {
    // Unknown options and a missing --seed value: the usage line, as for any other bad argument.
    throw new Error(USAGE);
  }
  const seed = Number(parsed.values.seed ?? 0);
  const [file] = parsed.positionals;
  if (!file || parsed.positionals.length !== 1 || !Number.isFinite(seed)) throw new Error(USAGE);
  const fx = JSON.parse(readFileSync(file, 'utf8')) as Fixture;
  if (!Array.isArray(fx.X) || fx.X.length === 0 || !Array.isArray(fx.X[0])) {
    throw new Error(`${file}: "X" must be a non-empty array of rows`);
  }
  const n = fx.X.length;
  const d = fx.X[0].length;
  const X = new Float64Array(n * d);
  fx.X.forEach((row, i) => {
    if (row.length !== d) throw new Error(`${file}: row ${i} of X has ${row.length} values, row 0 has ${d}`);
    X.set(row, i * d);
  });

  const metricsOf = (labels: number[]) => ({
    silhouette: silhouetteScore(X, n, d, labels),
    calinski_harabasz: calinskiHarabasz(X, n, d, labels),
    davies_bouldin: daviesBouldin(X, n, d, labels),
  });
  const k = fx.kmeans?.k ?? new Set(fx.labels_true).size;
  const restarts = fx.kmeans?.n_init ?? 10;
  const km = kmeans(X, n, d, { k, restarts, seed, algorithm: 'lloyd' });

  const out: Record<string, unknown> = {
    metrics_true: metricsOf(fx.labels_true),
    metrics_noisy: metricsOf(fx.labels_noisy),
    ari_true_vs_noisy: adjustedRandIndex(fx.labels_true, fx.labels_noisy),
    nmi_true_vs_noisy: normalizedMutualInfo(fx.labels_true, fx.labels_noisy),
    kmeans: {
      k,
      n_init: restarts,
      best_inertia: km.inertia,
      ari_vs_true: adjustedRandIndex(fx.labels_true, km.labels),
    },
  };
  if (fx.trustworthiness_first2dims_k5 !== undefined) {
    const first2 = new Float64Array(n * 2);
    for (let i = 0; i < n; i++) {
      first2[i * 2] = X[i * d];
      first2[i * 2 + 1] = X[i * d + 1];
    }
    out.trustworthiness_first2dims_k5 = trustworthiness(X, first2, n, d, 2, 5);
  }
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
}

try {
  main(process.argv);
} catch (err) {
  process.stderr.write(`cluster-check: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
