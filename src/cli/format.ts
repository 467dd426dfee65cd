import { cliWarning } from './advice';
import type { EncoderReport } from '../pipeline/encode';
import type { BasketSource, EvalReport } from '../pipeline/eval';
import type { GcnReport } from '../pipeline/gcn';
import type { HeldOutReport, SeqBertReport } from '../pipeline/seqbert';
import type { AnalysisReport } from '../pipeline/types';

const n = (v: number): string => v.toLocaleString('en');

/** What `npm run analyze` adds to its JSON under `encoder`. */
export interface CliEncoderReport extends EncoderReport {
  sequences: number;
  zeroVectors: number;
  truncated: { sequences: number; events: number };
  itemTextSources: { title: number; category: number; id: number };
  /** Model loading included. */
  seconds: number;
}

/**
 * The JSON's `encoder` when the behaviour BERT made the sequence vectors (--encoder seqbert): the
 * stage's report (its fields documented on SeqBertReport; `backend` is the one that really ran,
 * `quantized` says the sequence vectors come from the int8 model) plus what the CLI adds.
 */
export interface CliSeqBertReport
  extends Pick<
    SeqBertReport,
    | 'backend'
    | 'layers'
    | 'hidden'
    | 'heads'
    | 'maxLen'
    | 'params'
    | 'epochs'
    | 'plannedEpochs'
    | 'loss'
    | 'valLoss'
    | 'bestEpoch'
    | 'stopReason'
    | 'quantized'
    | 'softmax'
    | 'contrastive'
    | 'tokensPerSecond'
  > {
  kind: 'seqbert';
  /**
   * What the kept model learned on the held-out sequences (SeqBertReport.heldOut): type accuracy
   * and hit@10 over the whole catalogue, beside the commonest kind and the 10 best sellers; null
   * when nothing was held out.
   */
  heldOut: HeldOutReport | null;
  sequences: number;
  /** Size of the sequence vectors (the hidden size). */
  dims: number;
  zeroVectors: number;
  /** Training and embedding (the text encoder's item vectors not included); the stage's `seconds` is training only. */
  seconds: number;
  /** The text encoder whose item vectors were the item features: its model id, or "featurizer". */
  itemFeatures: string;
  /** The text encoder's own report. */
  text: CliEncoderReport;
}

/** One K of the sweep in the CLI's JSON. Metrics that are undefined for a labelling are null. */
export interface CliSweepEntry {
  k: number;
  inertia: number;
  silhouette: number | null;
  calinskiHarabasz: number | null;
  daviesBouldin: number | null;
  stabilityAri: number | null;
}

/** The chosen clustering in the CLI's JSON. */
export interface CliClusters {
  k: number;
  /** 'k' when --k chose it, 'suggested' when the sweep's suggestion did. */
  chosenBy: 'k' | 'suggested';
  sizes: number[];
  metrics: { inertia: number; silhouette: number | null; calinskiHarabasz: number | null; daviesBouldin: number | null; stabilityAri: number | null };
  suggested: { k: number; reason: string };
  elbow: { k: number; reason: string } | null;
  /** What was clustered: the encoder's sequence vectors (until the graph network exists). */
  source: {
    stage: 'encoder' | 'gcn';
    model: string;
    n: number;
    d: number;
    epochs?: number;
    /** With the behaviour BERT: whether what customers buy joined how they shop (seqbert/segmentSpace.ts; runner contract's ClusterResult). */
    taste?: { used: boolean; gain: number | null; threshold: number | null; behaviourDims: number; axes: number; weight: number };
  };
  path: 'cpu' | 'webgpu';
  algorithm: 'lloyd' | 'minibatch';
  seeds: number;
  silhouette: { exact: boolean; sampleSize: number };
  /** Why the swept range is narrower than asked, if it is. */
  rangeNote: string | null;
  /** Where --out wrote the assignments. */
  assignments?: string;
}

/** What `--umap` adds to the JSON under `umap`. */
export interface CliUmap {
  /** UMAP itself (neighbours, graph, layout). */
  seconds: number;
  /** Trustworthiness of the layout with 15 neighbours, 0..1 (null if undefined, e.g. too few points). */
  trustworthiness15: number | null;
  /** Exact on every point, or estimated from `sampleSize` seeded points (with its standard error). */
  exact: boolean;
  sampleSize: number;
  standardError: number;
  trustworthinessSeconds: number;
  nNeighbors: number;
  nEpochs: number;
  seed: number;
  /** The vectors laid out: those that were clustered. */
  source: { stage: 'encoder' | 'gcn'; n: number; d: number };
  warnings: string[];
}

/** One cluster in the JSON's `profiles` summary (profiles.json under --out has the whole profile). */
export interface CliProfileSummary {
  cluster: number;
  label: string;
  size: number;
  share: number;
}

/** What `--out` wrote, under `out` in the JSON. */
export interface CliExports {
  dir: string;
  assignments: { file: string; rows: number };
  profiles: { file: string; rows: number };
  recommendations: { file: string; rows: number; perUser: number; method: string };
  /** The Parquet files written (export/parquet.ts); itemVectors is absent when the log has no item vectors. */
  parquet: Partial<Record<'userVectors' | 'itemVectors' | 'assignments' | 'centroids', { file: string; rows: number }>>;
  /** With --pseudonymise or --epsilon: what was done (profiles.json "privacy" has the whole statement). */
  privacy?: {
    pseudonymised: boolean;
    profiles?: { epsilon: number; unit: 'user' | 'session'; sequencesPerUnit: number; sensitivity: number; summary: string };
  };
}

/** NaN (a score undefined for this labelling) becomes null: JSON has no NaN, and it must never pass for a number. */
export function finiteOrNull(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

const metric = (v: number | null, digits: number): string => (v === null ? '—' : v.toFixed(digits));

/** Whether what customers buy joined how they shop, and why. */
export function tasteLine(t: NonNullable<CliClusters['source']['taste']>): string {
  const pct = (v: number): string => `${Math.round(v * 100)}%`;
  const test =
    t.gain !== null && t.threshold !== null
      ? ` (k-means on it is ${pct(t.gain)} tighter than on a cloud without groups; ${pct(t.threshold)} needed)`
      : ' (as the saved model made them)';
  return t.used ? `what they buy: joined how they shop${test}` : `what they buy: not joined, segments follow how they shop${test}`;
}

/** The sweep and the chosen clustering as text lines. */
export function formatClusters(sweep: CliSweepEntry[], c: CliClusters): string {
  const lines: string[] = [];
  const s = c.source;
  lines.push(
    `clusters of ${s.stage} vectors (${s.model}${s.taste?.used ? `: ${s.taste.behaviourDims} behaviour + ${s.taste.axes} item axes at ${s.taste.weight}` : ''}, ${n(s.n)} x ${s.d}): k-means ${c.algorithm}, ${c.seeds} seeds per K, ${c.path}; ` +
      `silhouette ${c.silhouette.exact ? `exact on all ${n(c.silhouette.sampleSize)} points` : `on a sample of ${n(c.silhouette.sampleSize)} points`}`,
  );
  if (s.taste) lines.push(`  ${tasteLine(s.taste)}`);
  if (c.rangeNote) lines.push(`  note: ${c.rangeNote}`);
  lines.push('     K       inertia  silhouette  Calinski-H  Davies-B  stability');
  for (const e of sweep) {
    const mark = e.k === c.k ? ' <' : '';
    lines.push(
      `  ${String(e.k).padStart(4)}  ${e.inertia.toPrecision(6).padStart(12)}  ${metric(e.silhouette, 3).padStart(10)}  ` +
        `${metric(e.calinskiHarabasz, 2).padStart(10)}  ${metric(e.daviesBouldin, 3).padStart(8)}  ${metric(e.stabilityAri, 3).padStart(9)}${mark}`,
    );
  }
  lines.push(`suggested K = ${c.suggested.k}: ${c.suggested.reason}`);
  if (c.elbow) lines.push(`elbow: K = ${c.elbow.k}`);
  lines.push(`K = ${c.k}${c.chosenBy === 'k' ? ' (--k)' : ' (suggested)'}: sizes ${c.sizes.map(n).join(', ')}`);
  return `${lines.join('\n')}\n`;
}

/** The clusters' automatic labels and sizes. */
export function formatProfiles(p: CliProfileSummary[]): string {
  const lines = ['profiles:'];
  for (const c of p) lines.push(`  ${String(c.cluster).padStart(3)}  ${n(c.size).padStart(8)} (${(c.share * 100).toFixed(1).padStart(5)}%)  ${c.label}`);
  return `${lines.join('\n')}\n`;
}

/** The map's line: time and trustworthiness. */
export function formatUmap(u: CliUmap): string {
  const t = u.trustworthiness15 === null ? '—' : u.trustworthiness15.toFixed(3);
  const how =
    u.trustworthiness15 === null
      ? 'undefined for so few points'
      : u.exact
        ? 'exact'
        : `on a sample of ${n(u.sampleSize)} points, ± ${u.standardError.toFixed(3)}`;
  const lines = [
    `map: UMAP of the ${u.source.stage} vectors (${n(u.source.n)} x ${u.source.d}), ${u.nNeighbors} neighbours, ${u.nEpochs} epochs, seed ${u.seed}, ` +
      `${u.seconds.toFixed(1)} s; trustworthiness@15 ${t} (${how})`,
  ];
  for (const w of u.warnings) lines.push(`  note: ${w}`);
  return `${lines.join('\n')}\n`;
}

/** Where --out wrote what. */
export function formatExports(e: CliExports): string {
  return `${[
    `wrote to ${e.dir}:`,
    `  ${e.assignments.file} (${n(e.assignments.rows)} rows)`,
    `  ${e.profiles.file} (${n(e.profiles.rows)} clusters)`,
    `  ${e.recommendations.file} (${n(e.recommendations.rows)} rows, up to ${e.recommendations.perUser} per user, ${e.recommendations.method})`,
    ...(e.privacy?.pseudonymised ? ['  user ids pseudonymised (keyed hash)'] : []),
    ...(e.privacy?.profiles ? [`  profiles: ${e.privacy.profiles.summary}`] : []),
  ].join('\n')}\n`;
}

/** Which currency the amounts are in and how that is known. */
export function currencyLine(c: AnalysisReport['currency'] | undefined): string {
  if (!c || c.code === null) return `none (amounts are plain numbers${c?.symbol ? `; the prices carry ${c.symbol}, which names several currencies` : ''})`;
  return c.source === 'column' ? `${c.code} (from the column "${c.column}")` : `${c.code} (from the prices${c.symbol ? `' ${c.symbol}` : ''})`;
}

/** The report as a short human-readable text (the CLI without --json). */
export function formatReport(r: AnalysisReport, encoder?: CliEncoderReport): string {
  const lines: string[] = [];
  lines.push(
    `${r.file.name}: ${r.file.format.toUpperCase()}${r.file.gzip ? ' (gzip)' : ''}${r.file.delimiter ? `, delimiter ${JSON.stringify(r.file.delimiter)}` : ''}`,
  );
  const mapping = Object.entries(r.detection.mapping)
    .map(([role, col]) => `${role}=${r.detection.columns[col as number]}`)
    .join(', ');
  lines.push(`columns: ${mapping}`);
  lines.push(`currency: ${currencyLine(r.currency)}`);
  lines.push(`rows: ${n(r.input.rows)} read, ${n(r.input.accepted)} accepted, ${n(r.input.rejected.count)} rejected`);
  for (const [reason, count] of Object.entries(r.input.rejected.reasons)) {
    lines.push(
      `  ${reason}: ${n(count)} (lines ${r.input.rejected.examples[reason].join(', ')}${count > r.input.rejected.examples[reason].length ? ', …' : ''})`,
    );
    const a = r.input.rejected.advice?.[reason];
    if (a) lines.push(`    ${cliWarning([a.cause, a.effect, a.keep ?? ''].join(' ').trim())}`);
  }
  lines.push(`users: ${n(r.users)}  sessions: ${n(r.sessions)}  items: ${n(r.items)}`);
  lines.push(
    `events in sequences: ${n(r.events.total)} (${Object.entries(r.events.byType)
      .map(([k, v]) => `${k} ${n(v)}`)
      .join(', ')})`,
  );
  const s = r.sequences;
  lines.push(`sequences by ${s.by}: ${n(s.count)}; length min ${s.lengths.min}, median ${s.lengths.median}, p90 ${s.lengths.p90}, max ${s.lengths.max}`);
  lines.push(
    `filtered: ${n(s.filtered.tooShort)} with too little history yet (under --min-length ${r.options.minLength}: not clustered, their own group in the profiles and exports), ` +
      `${n(s.filtered.abnormalVolume)} bots left out, ${n(s.filtered.duplicatesCollapsed)} duplicate events collapsed`,
  );
  for (const d of s.dropped ?? []) lines.push(`  left out ${d.id} (${n(d.events)} events, ${n(d.browse)} views and clicks): ${d.reason}`);
  if ((s.dropped?.length ?? 0) < s.filtered.abnormalVolume) lines.push(`  … and ${n(s.filtered.abnormalVolume - (s.dropped?.length ?? 0))} more bots`);
  if (r.timeSpan.start) lines.push(`time span: ${r.timeSpan.start} .. ${r.timeSpan.end}`);
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  lines.push(`read in ${n(r.timings.readMs)} ms, sequences in ${n(r.timings.sequencesMs)} ms`);
  if (encoder) {
    const e = encoder;
    const what = e.kind === 'featurizer' ? `${e.model} (built-in featurizer, not semantic)` : `${e.model} (${e.dtype}, ${e.device})`;
    lines.push(
      `encoder: ${what}, ${e.mode === 'items' ? 'weighted mean of items' : 'sequences as text'}: ${e.dims} dims, ` +
        `${n(e.itemsEmbedded)} of ${n(e.texts)} distinct texts embedded, ${n(e.cacheHits)} cache hits, ${n(e.sequences)} sequences in ${e.seconds.toFixed(1)} s`,
    );
    if (e.zeroVectors > 0) lines.push(`  ${n(e.zeroVectors)} sequences whose weights cancel out have no vector`);
    if (e.truncated.sequences > 0)
      lines.push(`  ${n(e.truncated.sequences)} sequences cut to the model's window (${n(e.truncated.events)} oldest events left out)`);
  }
  return `${lines.join('\n')}\n`;
}

/** The behaviour BERT's block: its size, backend, loss curve and what gave the item features. */
export function formatSeqBert(b: CliSeqBertReport): string {
  const first = b.loss[0];
  const last = b.loss[b.loss.length - 1];
  const stop = b.stopReason === 'early-stopping' ? `, stopped early (best epoch ${b.bestEpoch})` : b.stopReason === 'stop' ? ', stopped' : '';
  return (
    `\nBehaviour BERT (${b.backend}): ${b.layers} layer${b.layers === 1 ? '' : 's'}, ${b.hidden} hidden, ${b.heads} heads, last ${b.maxLen} events, ${n(b.params)} parameters; ` +
    `${b.epochs} epochs, loss ${first?.toFixed(4)} -> ${last?.toFixed(4)}${stop}; ${n(Math.round(b.tokensPerSecond))} tokens/s, ${b.seconds.toFixed(1)} s\n` +
    `  ${n(b.sequences)} sequence vectors of ${b.dims} dims from the ${b.quantized} model; item features: ${b.itemFeatures}\n`
  );
}

export function formatGcn(g: GcnReport): string {
  const first = g.loss[0];
  const last = g.loss[g.loss.length - 1];
  return `\nGraph network (LightGCN, ${g.device}): ${g.nodes.toLocaleString('en')} nodes, ${g.edges.toLocaleString('en')} stored edges; ${g.epochs} epochs, loss ${first?.toFixed(4)} -> ${last?.toFixed(4)}\n`;
}

/** What the recommendation protocol held out, as the lists' baskets were made (eval/baskets.ts). */
function heldOut(source: BasketSource): string {
  if (source.by === 'session') return "each session's last moment held out";
  return source.events === 'purchases' ? 'last purchase basket held out' : 'last basket held out, views too';
}

export function formatEval(e: EvalReport & { recall20: { seqbert?: number }; ndcg20: { seqbert?: number } }): string {
  const f = (x: number): string => x.toFixed(4);
  const bert = (x: number | undefined): string => (x === undefined ? '' : `  seqbert ${f(x)}`);
  return (
    `\nEvaluation (${e.protocol}; ${e.users.toLocaleString('en')} users)\n` +
    `  Recall@20  popularity ${f(e.recall20.popularity)}  encoder ${f(e.recall20.encoder)}  gcn ${f(e.recall20.gcn)}${bert(e.recall20.seqbert)}\n` +
    `  NDCG@20    popularity ${f(e.ndcg20.popularity)}  encoder ${f(e.ndcg20.encoder)}  gcn ${f(e.ndcg20.gcn)}${bert(e.ndcg20.seqbert)}\n` +
    (e.recommendations
      ? `Per-user recommendations (${heldOut(e.recommendations.source)}; ${e.recommendations.users.toLocaleString('en')} users, ${e.recommendations.repeatUsers.toLocaleString('en')} for buy-again)\n` +
        `  new    Recall@20 ${f(e.recommendations.recall20.recommended)}  NDCG@20 ${f(e.recommendations.ndcg20.recommended)}  (popularity ${f(e.recommendations.recall20.popularity)} / ${f(e.recommendations.ndcg20.popularity)})\n` +
        `  again  Recall@20 ${f(e.recommendations.again.recall20)}  NDCG@20 ${f(e.recommendations.again.ndcg20)}  (own most-bought ${f(e.recommendations.again.ownMostBought.recall20)} / ${f(e.recommendations.again.ownMostBought.ndcg20)})\n`
      : '')
  );
}
