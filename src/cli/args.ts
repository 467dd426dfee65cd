// The analyze command's arguments: parsed and checked here, before any work, with no side effects
// (a bad argument throws UsageError; main prints it with the usage and exits 2). Every number has a
// range (NUMBER_OPTIONS, also printed by --help): a value outside it, or a whole-number option given
// a fraction, is refused with a message that names the option and the range.

import { type ParseArgsOptionsConfig, parseArgs as tokenizeArgs } from 'node:util';
import { SWEEP_DEFAULT_K_MAX, SWEEP_DEFAULT_K_MIN } from '../pipeline/cluster';
import type { EncodeMode, EventWeights } from '../pipeline/encode';
import { DEFAULT_GCN_OPTIONS } from '../pipeline/gcn';
import { TRUSTWORTHINESS_EXACT_MAX, TRUSTWORTHINESS_SAMPLE } from '../pipeline/project';
import type { SequenceOptions } from '../pipeline/types';
import { checkServiceSettings, ServiceSettingsError, type ServiceSettings } from '../pipeline/catalog';
import type { DateOrder } from '../pipeline/ingest/timestamp';
import { DEFAULT_MAX_EVENTS } from '../pipeline/ingest/readRules';
import { CLUSTER_K_LIMIT } from '../pipeline/runner/clusterJob';
import { DEFAULT_ENCODER_KIND, PER_USER, type EncoderKind } from '../pipeline/runner/constants';
import { DEFAULT_SEQBERT_OPTIONS, validateArchitecture, type SeqBertBackendChoice, type SeqBertOptions } from '../pipeline/seqbert/options';
import { SeqBertError } from '../pipeline/seqbert/errors';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface Args {
  file: string;
  json: boolean;
  sequence: Partial<SequenceOptions>;
  encode: boolean;
  /** --encoder (bert: the old name of text); null: DEFAULT_ENCODER_KIND. */
  encoder: EncoderKind | null;
  /** --bert-*: the behaviour BERT's settings (checked by seqBertOptionsOf). */
  seqbert: SeqBertArgs;
  model: string | null;
  mode: EncodeMode;
  halfLifeDays: number | undefined;
  weights: Partial<EventWeights>;
  k: number | null;
  sweep: { kMin: number; kMax: number } | null;
  out: string | null;
  umap: boolean;
  gcn: boolean | null;
  epochs: number | undefined;
  eval: boolean;
  /** --top: length of each user's `new` and `again` list in recommendations.csv (default 20). */
  top: number;
  /** --pseudonymise: user ids in the exports replaced by keyed hashes. */
  pseudonymise: boolean;
  /** --key-file: the pseudonymisation key (read, or made there when missing); null = a new key in the --out folder. */
  keyFile: string | null;
  /** --epsilon: Laplace noise on profiles.json's counts; null = exact. */
  epsilon: number | null;
  /** --sessions-per-user: with sequences by session, most sessions one user contributes to noised counts. */
  sessionsPerUser: number | undefined;
  /** --date-order: day/month order of numeric dates ('auto': settled from the file's dates). */
  dateOrder: DateOrder;
  /** --max-events: reading stops with a message past this many events (undefined: the default). */
  maxEvents: number | undefined;
  /** --service-items auto|off, --service-item ID, --product-item ID: service lines left out of profiles and recommendations. */
  serviceItems: ServiceSettings;
  /** --save-model FILE: the clustering at the chosen K as a .seqlens file. */
  saveModel: string | null;
  /** --apply FILE: a saved model applied to the log (no training, no sweep). */
  apply: string | null;
  /** --update: with --apply, the centres follow the log and a new segment may be proposed. */
  update: boolean;
}

/** What --bert-* set; unset ones keep the stage's defaults. */
export interface SeqBertArgs {
  epochs?: number;
  layers?: number;
  hidden?: number;
  heads?: number;
  maxLen?: number;
  backend?: SeqBertBackendChoice;
}

/** A number option's range; `integer` options take whole numbers only. */
export interface NumberOption {
  flag: string;
  what: string;
  min: number;
  max: number;
  integer: boolean;
  /** The lowest value is excluded (e.g. epsilon > 0). */
  minExclusive?: boolean;
}

export const NUMBER_OPTIONS = {
  minLength: { flag: '--min-length', what: 'N', min: 0, max: 1_000_000, integer: true },
  maxLength: { flag: '--max-length', what: 'N', min: 0, max: 100_000_000, integer: true },
  dedupe: { flag: '--dedupe', what: 'SECONDS', min: 0, max: 86_400, integer: false },
  sessionGap: { flag: '--session-gap', what: 'MINUTES', min: 1, max: 525_600, integer: false },
  halfLife: { flag: '--half-life', what: 'DAYS', min: 0, max: 36_500, integer: false },
  weight: { flag: '--weight', what: 'TYPE=N', min: -1_000, max: 1_000, integer: false },
  k: { flag: '--k', what: 'N', min: 2, max: CLUSTER_K_LIMIT, integer: true },
  sweep: { flag: '--sweep', what: 'A..B', min: 2, max: CLUSTER_K_LIMIT, integer: true },
  epochs: { flag: '--epochs', what: 'N', min: 1, max: 10_000, integer: true },
  top: { flag: '--top', what: 'N', min: 1, max: 1_000, integer: true },
  epsilon: { flag: '--epsilon', what: 'E', min: 0, max: 100, integer: false, minExclusive: true },
  sessionsPerUser: { flag: '--sessions-per-user', what: 'N', min: 1, max: 1_000, integer: true },
  maxEvents: { flag: '--max-events', what: 'N', min: 1, max: 2_000_000_000, integer: true },
  bertEpochs: { flag: '--bert-epochs', what: 'N', min: 1, max: 1_000, integer: true },
  bertLayers: { flag: '--bert-layers', what: 'N', min: 0, max: 24, integer: true },
  bertHidden: { flag: '--bert-hidden', what: 'N', min: 0, max: 1_024, integer: true },
  bertHeads: { flag: '--bert-heads', what: 'N', min: 0, max: 64, integer: true },
  bertMaxLen: { flag: '--bert-max-len', what: 'N', min: 0, max: 2_000, integer: true },
} satisfies Record<string, NumberOption>;

const fmt = (x: number): string => x.toLocaleString('en');

/** "a whole number from 1 to 10,000" and the like. */
export function rangeText(o: NumberOption): string {
  return `${o.integer ? 'a whole number' : 'a number'} ${o.minExclusive ? `above ${fmt(o.min)} and up to` : `from ${fmt(o.min)} to`} ${fmt(o.max)}`;
}

/** A value quoted for a message: short, and with control characters shown as escapes. */
export function quoted(v: string): string {
  const s = JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  return s.replace(/[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

// Plain decimal notation only: 1e20, 0x10, Infinity, '' and ' 5' are not numbers here.
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;
const WHOLE = /^\+?\d+$/;

/** The value of a number option, checked against its range. */
export function numberArg(o: NumberOption, v: string | undefined, flag = o.flag): number {
  const want = `${flag} takes ${rangeText(o)}`;
  if (v === undefined) throw new UsageError(`${want}; it is missing its value.`);
  if (!(o.integer ? WHOLE : DECIMAL).test(v)) throw new UsageError(`${want}, not ${quoted(v)}.`);
  const n = Number(v);
  if (!Number.isFinite(n) || n < o.min || n > o.max || (o.minExclusive && n === o.min)) throw new UsageError(`${want}, not ${quoted(v)}.`);
  return n;
}

export const USAGE = `usage: npm run -s analyze -- FILE [--by user|session] [--json]
       [--min-length N] [--max-length N] [--dedupe SECONDS] [--session-gap MINUTES]
       [--model ID] [--encoder seqbert|text|featurizer] [--no-encode]
       [--bert-epochs N] [--bert-layers N] [--bert-hidden N] [--bert-heads N] [--bert-max-len N]
       [--bert-backend auto|wasm|cpu]
       [--mode items|sequence-text] [--half-life DAYS] [--weight TYPE=N ...]
       [--k N] [--sweep A..B] [--umap] [--out DIR]
       [--pseudonymise] [--key-file PATH] [--epsilon E] [--sessions-per-user N]
       [--gcn on|off] [--epochs N] [--eval] [--top N] [--date-order auto|dmy|mdy] [--max-events N]
       [--service-items auto|off] [--service-item ID ...] [--product-item ID ...]
       [--save-model FILE] [--apply FILE [--update]]`;

const rangeLines = (): string =>
  Object.values(NUMBER_OPTIONS as Record<string, NumberOption>)
    .map((o) => `  ${`${o.flag} ${o.what}`.padEnd(24)} ${rangeText(o)}`)
    .join('\n');

export const HELP = `${USAGE}

Reading:
  --date-order auto|dmy|mdy  how numeric dates such as 10/11/2019 are read. auto (default): from the time
                 column's dates, all of them (one with a first number over 12 makes it day/month); a warning
                 says when every date was ambiguous. dmy or mdy: that order; dates that only fit the
                 other order are rejected rows.
  --max-events N stop reading past N events, with a message (default ${DEFAULT_MAX_EVENTS.toLocaleString('en')}; memory grows with them)

Sequences:
  --by user|session  group events per user (default) or per session (automatic when most rows have no user id)
  --min-length N     sequences with fewer events (default 2) are not clustered: they form the group
                     "Too little history yet" (cluster -1 in the exports); --max-length N leaves out bots:
                     more than N views and clicks, or 50+ of them faster than one a second (default 5,000;
                     purchases never count; 0 = no bot rule); --dedupe SECONDS collapses repeats of an event
                     (default 5, 0 = off); --session-gap MINUTES starts a new session after a pause (default 30)

Encoder (how each sequence becomes a vector; default ${DEFAULT_ENCODER_KIND}):
  --encoder seqbert|text|featurizer
                 seqbert (the default): a behaviour BERT (BERT4Rec-style: item, event type, time gap and
                 position of every event; masked-event and contrastive training) trained on this log;
                 its int8 model's sequence embeddings are what is clustered and mapped, with or without
                 the graph network (which trains from them and ranks each cluster's items); item features
                 from the text encoder. Training takes a while (--bert-epochs N caps it; --encoder
                 featurizer is the quick path). text (old name: bert): the installed sentence encoder's
                 weighted mean of the sequence's item vectors (--model ID picks it; fails when none is
                 installed). featurizer: the same with the built-in character n-gram featurizer.
  --bert-* options alone select --encoder seqbert.
  --bert-epochs N  at most N training epochs (default ${DEFAULT_SEQBERT_OPTIONS.epochs}; early stopping on a held-out slice)
  --bert-layers N, --bert-hidden N, --bert-heads N  the network's size (default ${DEFAULT_SEQBERT_OPTIONS.layers} layers,
                 ${DEFAULT_SEQBERT_OPTIONS.hidden} hidden, ${DEFAULT_SEQBERT_OPTIONS.heads} heads; hidden must be divisible by heads)
  --bert-max-len N  sequences cut to their last N events (default ${DEFAULT_SEQBERT_OPTIONS.maxLen})
  --bert-backend auto|wasm|cpu  tfjs backend (auto: WebGPU in browsers, wasm in Node; cpu: slowest)
The JSON's encoder is then {kind: "seqbert", backend, layers, hidden, heads, maxLen, params, epochs,
plannedEpochs, loss: [per epoch], heldOut: {sequences, masked, typeAccuracy, typeBaseline, itemHit10,
itemBaseline10} (what it learned on held-out sequences: hidden event's kind and product in its top 10, beside the
commonest kind and the 10 best sellers; null when none were held out), quantized: "int8", seconds, itemFeatures:
<text encoder id or "featurizer">, text: {the text encoder's report}}; with --eval, recall20 and ndcg20 get seqbert: the masked-item head
ranking each user's next basket.

Clustering (k-means on the sequence vectors; runs only when --k, --sweep, --umap or --out is given):
  --sweep A..B   K sweep from A to B (2 <= A <= B <= ${CLUSTER_K_LIMIT}): 3 seeded k-means runs per K, with
                 inertia, silhouette (exact up to 2,000 sequences, else on a seeded sample of 2,000),
                 Calinski-Harabasz, Davies-Bouldin and stability (mean ARI between the seeds' runs).
                 B is lowered, with a note on stderr, when the data has fewer distinct vectors.
                 Default ${SWEEP_DEFAULT_K_MIN}..${SWEEP_DEFAULT_K_MAX} when only --out or --umap is given.
  --k N          the clustering to report (N >= 2). Without --sweep only K = N is computed;
                 with --sweep, N must lie in A..B. Without --k the sweep's suggested K (best silhouette).
  --umap         lay the clustered vectors out in 2-D (UMAP, 15 neighbours, seed 0, CPU) and score the
                 layout's trustworthiness (15 neighbours; exact up to ${TRUSTWORTHINESS_EXACT_MAX.toLocaleString('en')} points, else
                 estimated from ${TRUSTWORTHINESS_SAMPLE.toLocaleString('en')} seeded points). Implies clustering, like --k and --sweep.
  --out DIR      write the page's exports of the chosen clustering into DIR (made if missing; checked
                 before any work starts: a file, a path under a file or a folder that cannot be written
                 is refused at once, with exit code 1):
                   assignments.csv      user_id,cluster,x,y,label (one row per sequence; x,y = the
                                        UMAP map, empty without --umap; label = the cluster's label)
                   profiles.json        every cluster's size, funnel, revenue, top categories/items, terms
                   recommendations.csv  user_id,cluster,label,list,rank,item_id,title,score,reason:
                                        per user two lists of --top N items: list=new, items the user
                                        has not bought (a blend of ItemKNN, RP3beta, next-basket,
                                        UserKNN and popularity, weights chosen per log on a validation
                                        split of its own baskets; in a log with views, what the user
                                        looked at and did not buy may lead, as many as validation
                                        chooses), and list=again, items bought before, by how often,
                                        how recently and the item's usual repurchase gap; reason =
                                        the signals behind each item. Service lines (postage,
                                        fees...) are in neither. A log of anonymous sessions gets
                                        the two lists per session (what to look at next, again).
                   user_vectors.parquet user_id, cluster, label, vector (the clustered vector, a float
                                        list: FLOAT[] in DuckDB, an array per row in pandas, the
                                        --vector column of Embedding Atlas)
                   item_vectors.parquet item_id, title, vector (the GCN's item vectors, else the encoder's)
                   assignments.parquet  user_id, cluster, label, x, y (the rows of assignments.csv)
                   centroids.parquet    cluster, label, size, vector (each cluster's mean vector)
                   sql/                 assign_users.sql (its half-life set to this analysis's) and the
                                        tables it reads besides your events: item_vectors.csv,
                                        centroids.csv, event_weights.csv: the same assignment (the
                                        item-vector approximation) in DuckDB, Spark SQL or a warehouse,
                                        for logs beyond one machine (docs/sql.md; --by user only)
  --top N        length of each list in recommendations.csv (default 20).
                 CSV cells that a spreadsheet would run as formulas (= + - @) get a leading '.
The JSON gets sweep: [{k, inertia, silhouette, calinskiHarabasz, daviesBouldin, stabilityAri}],
clusters: {k, sizes, metrics: {inertia, silhouette, calinskiHarabasz, daviesBouldin}, suggested, ...}
and profiles: [{cluster, label, size, share}]; metrics that are undefined for a clustering are null.
With --umap: umap: {seconds, trustworthiness15 (null below 31 points), exact, sampleSize, standardError,
nNeighbors, nEpochs, seed, source, warnings}; with --out: out: {dir, assignments, profiles,
recommendations: {file, rows}, parquet: {userVectors, itemVectors, assignments, centroids: {file, rows}}}
and sql: {dir, files, halfLifeDays, agreement: {customers, agreement, chance}} (how often the SQL's
approximation picks the segment of assignments.csv) or sql: {skipped}.

Privacy of the exports (need --out):
  --pseudonymise       user ids in assignments.csv and recommendations.csv become u_ + 16 hex digits of
                       HMAC-SHA256 with a secret key; the same key gives the same pseudonyms
                       (in user_vectors.parquet and assignments.parquet too).
  --key-file PATH      the key: 64 hex digits in a file. Read when it exists, else made there (mode 600).
                       Without it a new key is written to DIR/pseudonymisation.key, with a warning:
                       move it out before sharing the folder, and pass it with --key-file next time.
  --epsilon E          Laplace noise on profiles.json's counts: epsilon-differential privacy for the
                       counts given the clustering (profiles.json "privacy" says what is covered). The
                       profiles in the report are the noised ones too. Events, revenue and orders are left out.
  --sessions-per-user N  with sequences by session and user ids in the log: each user's sessions in the
                       noised counts are capped at N (chosen at random, default 1), and the sensitivity
                       is N times one sequence's; without user ids the guarantee is per session, and says so.

Graph network (LightGCN, 2 layers, 64 dims, CPU; features = the encoder's vectors):
  --gcn on|off   train it on the sequences. Default: on when clustering (--k, --sweep, --umap, --out) or
                 --eval is asked for, off otherwise. When it runs with --encoder text or featurizer,
                 clustering uses its sequence vectors (L2-normalised) instead of the encoder's; with
                 --encoder seqbert (the default) the behaviour BERT's vectors are still what is
                 clustered (the GCN's propagation over user-item edges would bring taste back), and the
                 GCN's vectors rank each cluster's recommended items.
  --epochs N     at most N training epochs (default ${DEFAULT_GCN_OPTIONS.epochs}); early stopping may end sooner.
  --eval         (needs --by user, the default) hold out each user's last basket/session, train on
                 the rest, and rank items: Recall@20 and NDCG@20 of popularity, encoder and GCN,
                 and of the per-user recommendations under the recommendation protocol (last
                 basket held out, of purchases where the lists learn from purchases): the new list
                 (recommended) and the again list (repeat protocol, next to the customer's own
                 most-bought items).
The JSON gets gcn: {device, epochs, loss: [per epoch], nodes, edges} and, with --eval,
eval: {protocol, users, recall20: {popularity, encoder, gcn, recommended}, ndcg20: {...},
recommendations: {protocol, users, repeatUsers, recall20: {popularity, recommended}, ndcg20, again:
{recall20, ndcg20, ownMostBought}, chosen, validation}}.

Service lines (postage, carriage, fees, discounts, manual adjustments: not products):
  --service-items auto|off  auto (default): detected by title ("POSTAGE", "Versandkosten"), id (no
                 digits where ids have them) and price behaviour (priced anew on most rows, never
                 charged); off: only those given below. They are left out of profiles.json (top items,
                 terms, funnel, revenue and average order value count products only) and of the
                 recommendations. The JSON gets serviceItems: {mode, count, items: [{id, title, reason,
                 detected, service, rows}], unknown}.
  --service-item ID  treat ID as a service line too; --product-item ID: as a product (both repeatable).

Saved models and drift:
  --save-model FILE  after the analysis, write the clustering at the chosen K as a model file (.seqlens:
                 the settings, the item catalogue and its vectors, the behaviour BERT (int8) and its
                 whitening, the segment centres, names, profiles and traits, the customers and their
                 segments). Implies clustering, like --k. The JSON gets model: {file, size, k}.
  --apply FILE   analyse the log with a saved model instead of training: sequences grouped as the
                 model's were, encoded with its settings (items matched by id; new items get their text
                 vector), each assigned to the nearest saved segment, named as saved; the customers
                 with too little history are cluster -1. No sweep: the saved K. Goes with --out, --umap,
                 --json, --top, the privacy options and --save-model; the encoder, grouping, weight,
                 clustering, graph-network and service-line options are the model's (giving them is an
                 error). A file that is not a SeqLens model, is damaged, or was made by a newer SeqLens
                 is refused with exit code 1 and says what to do.
  --update       with --apply: the centres follow this log (streaming k-means with decay) and, when
                 more than 10% of the customers (at least 20) sit farther from every centre than the
                 model's log's 95th percentile, a new segment is proposed (reported, not added).
With --apply the JSON gets applied: {k, labels, sizes, model: {file, created, sourceFile, size, version},
unseenItems, unseenByPopularity, unchanged (customers whose history had not changed: they keep their
segment), placement (share of the model's own customers the centres put in their segment; below 1 when
its segments were made on the graph network's vectors), update: {shift, proposal} | null, seconds} and drift: {users: {kept, new, lost}, sizesBefore,
sizesAfter, transitions: [[...]] (row = old segment, column = new; the last row and column are cluster -1,
too little history), moved, newSegmentOfNew, lostBySegment, newItems, vanishedItems, newItemIds,
vanishedItemIds, newItemTitles, vanishedItemTitles (the first 100 of each, most events first), traits,
seconds}; with --out also drift.json and transitions.csv
(from_cluster,from_label,to_cluster,to_label,customers), and assignments.csv lists every customer.

Numbers (anything else is refused with exit code 2; plain decimal notation, no 1e5):
${rangeLines()}

Exit codes: 0 done; 1 the file (or --out folder, or key file) cannot be used, or no row or sequence
is left to analyse (the message gives the top reasons); 2 bad arguments.`;

/**
 * Every option, for node:util's tokenizer. String options take the next argument whatever it looks
 * like (`--out -x` reaches the option's own check: "--out needs a folder"), and the loop below reads
 * the tokens in order, so the first bad argument is the one reported.
 */
const OPTIONS = {
  json: { type: 'boolean' },
  by: { type: 'string' },
  'min-length': { type: 'string' },
  'max-length': { type: 'string' },
  dedupe: { type: 'string' },
  'session-gap': { type: 'string' },
  'no-encode': { type: 'boolean' },
  encoder: { type: 'string' },
  model: { type: 'string' },
  mode: { type: 'string' },
  'half-life': { type: 'string' },
  weight: { type: 'string', multiple: true },
  k: { type: 'string' },
  sweep: { type: 'string' },
  out: { type: 'string' },
  umap: { type: 'boolean' },
  gcn: { type: 'string' },
  epochs: { type: 'string' },
  eval: { type: 'boolean' },
  top: { type: 'string' },
  pseudonymise: { type: 'boolean' },
  pseudonymize: { type: 'boolean' },
  'key-file': { type: 'string' },
  epsilon: { type: 'string' },
  'sessions-per-user': { type: 'string' },
  'date-order': { type: 'string' },
  'max-events': { type: 'string' },
  'service-items': { type: 'string' },
  'bert-epochs': { type: 'string' },
  'bert-layers': { type: 'string' },
  'bert-hidden': { type: 'string' },
  'bert-heads': { type: 'string' },
  'bert-max-len': { type: 'string' },
  'bert-backend': { type: 'string' },
  'service-item': { type: 'string', multiple: true },
  'product-item': { type: 'string', multiple: true },
  'save-model': { type: 'string' },
  apply: { type: 'string' },
  update: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsOptionsConfig;

/** The arguments, or 'help' for -h/--help. Throws UsageError on anything it cannot accept. */
export function parseArgs(argv: readonly string[]): Args | 'help' {
  const sequence: Partial<SequenceOptions> = {};
  let file = '';
  let json = false;
  let encode = true;
  let encoder: Args['encoder'] = null;
  let model: string | null = null;
  let mode: EncodeMode = 'items';
  let halfLifeDays: number | undefined;
  // Built as entries: a TYPE such as __proto__ must stay a plain key.
  const weightEntries: [string, number][] = [];
  let k: number | null = null;
  let sweep: Args['sweep'] = null;
  let out: string | null = null;
  let umapFlag = false;
  let gcn: boolean | null = null;
  let epochs: number | undefined;
  let evaluateFlag = false;
  let top = PER_USER;
  let pseudonymise = false;
  let keyFile: string | null = null;
  let epsilon: number | null = null;
  let sessionsPerUser: number | undefined;
  let dateOrder: DateOrder = 'auto';
  let maxEvents: number | undefined;
  const service: ServiceSettings = { mode: 'auto', service: [], product: [] };
  const seqbert: SeqBertArgs = {};
  let saveModel: string | null = null;
  let apply: string | null = null;
  let update = false;
  /** Options given that a saved model settles (refused with --apply). */
  const modelSettled: string[] = [];
  const O = NUMBER_OPTIONS;
  const path = (flag: string, v: string | undefined, what: string): string => {
    if (v === undefined || v === '' || v.startsWith('-')) throw new UsageError(`${flag} needs ${what}.`);
    return v;
  };
  // strict: false, so that unknown options, missing values and values that look like options come
  // back as tokens and get this command's own messages instead of node's.
  const { tokens } = tokenizeArgs({ args: [...argv], options: OPTIONS, strict: false, allowPositionals: true, tokens: true });
  for (const t of tokens) {
    const a = argv[t.index];
    if (t.kind === 'positional') {
      if (a === '' || a === '-') throw new UsageError('the input must be a file path (stdin is not read).');
      if (file) throw new UsageError(`give one file (got ${quoted(file)} and ${quoted(a)}).`);
      file = a;
      continue;
    }
    // Only `--flag [value]` as its own argument: `--by=user`, grouped short flags (-hx) and a bare
    // `--` are refused as they always were.
    if (t.kind === 'option-terminator' || t.rawName !== a) throw new UsageError(`unknown option ${quoted(a)}.`);
    const v = t.value;
    if (SETTLED_BY_MODEL.has(t.name) && !modelSettled.includes(a)) modelSettled.push(a);
    switch (t.name) {
      case 'json':
        json = true;
        break;
      case 'by':
        if (v !== 'user' && v !== 'session') throw new UsageError('--by takes "user" or "session".');
        sequence.by = v;
        break;
      case 'min-length':
        sequence.minLength = numberArg(O.minLength, v);
        break;
      case 'max-length':
        sequence.maxLength = numberArg(O.maxLength, v);
        break;
      case 'dedupe':
        sequence.dedupeSeconds = numberArg(O.dedupe, v);
        break;
      case 'session-gap':
        sequence.sessionGapMinutes = numberArg(O.sessionGap, v);
        break;
      case 'no-encode':
        encode = false;
        break;
      case 'encoder':
        if (v !== 'seqbert' && v !== 'text' && v !== 'bert' && v !== 'featurizer')
          throw new UsageError('--encoder takes "seqbert", "text" (or its old name "bert") or "featurizer".');
        encoder = v === 'bert' ? 'text' : v;
        break;
      case 'bert-epochs':
        seqbert.epochs = numberArg(O.bertEpochs, v);
        break;
      case 'bert-layers':
        seqbert.layers = numberArg(O.bertLayers, v);
        break;
      case 'bert-hidden':
        seqbert.hidden = numberArg(O.bertHidden, v);
        break;
      case 'bert-heads':
        seqbert.heads = numberArg(O.bertHeads, v);
        break;
      case 'bert-max-len':
        seqbert.maxLen = numberArg(O.bertMaxLen, v);
        break;
      case 'bert-backend':
        // webgpu only runs in browsers: Node has no GPU adapter.
        if (v !== 'auto' && v !== 'wasm' && v !== 'cpu')
          throw new UsageError('--bert-backend takes "auto", "wasm" or "cpu" (WebGPU runs only in the browser).');
        seqbert.backend = v;
        break;
      case 'model':
        model = path(a, v, 'a model id, e.g. Xenova/all-MiniLM-L6-v2');
        break;
      case 'mode':
        if (v !== 'items' && v !== 'sequence-text') throw new UsageError('--mode takes "items" or "sequence-text".');
        mode = v;
        break;
      case 'half-life':
        halfLifeDays = numberArg(O.halfLife, v);
        break;
      case 'weight': {
        const m = /^([A-Za-z0-9_-]+)=(.*)$/.exec(v ?? '');
        if (!m) throw new UsageError(`--weight takes TYPE=NUMBER, e.g. --weight purchase=5 (TYPE: letters, digits, _ and -), not ${quoted(v ?? '')}.`);
        weightEntries.push([m[1], numberArg(O.weight, m[2], `--weight ${m[1]}=N`)]);
        break;
      }
      case 'k':
        k = numberArg(O.k, v);
        break;
      case 'sweep': {
        const m = /^(\d+)\.\.(\d+)$/.exec(v ?? '');
        if (!m) throw new UsageError(`--sweep takes a K range A..B with ${rangeText(O.sweep)}, e.g. --sweep 2..15, not ${quoted(v ?? '')}.`);
        const lo = numberArg(O.sweep, m[1], '--sweep A');
        const hi = numberArg(O.sweep, m[2], '--sweep B');
        if (hi < lo) throw new UsageError(`--sweep ${lo}..${hi}: the range runs backwards; write ${hi}..${lo}.`);
        sweep = { kMin: lo, kMax: hi };
        break;
      }
      case 'out':
        out = path(a, v, 'a folder');
        break;
      case 'umap':
        umapFlag = true;
        break;
      case 'gcn':
        if (v !== 'on' && v !== 'off') throw new UsageError('--gcn takes "on" or "off".');
        gcn = v === 'on';
        break;
      case 'epochs':
        epochs = numberArg(O.epochs, v);
        break;
      case 'eval':
        evaluateFlag = true;
        break;
      case 'top':
        top = numberArg(O.top, v);
        break;
      case 'pseudonymise':
      case 'pseudonymize':
        pseudonymise = true;
        break;
      case 'key-file':
        keyFile = path(a, v, 'a file path');
        break;
      case 'epsilon':
        epsilon = numberArg(O.epsilon, v);
        break;
      case 'sessions-per-user':
        sessionsPerUser = numberArg(O.sessionsPerUser, v);
        break;
      case 'date-order':
        if (v !== 'auto' && v !== 'dmy' && v !== 'mdy') throw new UsageError('--date-order takes "auto", "dmy" (31/10/2019) or "mdy" (10/31/2019).');
        dateOrder = v;
        break;
      case 'max-events':
        maxEvents = numberArg(O.maxEvents, v);
        break;
      case 'service-items':
        if (v !== 'auto' && v !== 'off') throw new UsageError('--service-items takes "auto" (detect postage, fees and the like) or "off".');
        service.mode = v;
        break;
      case 'service-item':
      case 'product-item':
        if (v === undefined || v.trim() === '') throw new UsageError(`${a} needs an item id.`);
        (t.name === 'service-item' ? service.service : service.product).push(v);
        break;
      case 'save-model':
        saveModel = path(a, v, 'a file path for the model, e.g. segments.seqlens');
        break;
      case 'apply':
        apply = path(a, v, 'a saved model file (.seqlens)');
        break;
      case 'update':
        update = true;
        break;
      case 'help':
        return 'help';
      default:
        throw new UsageError(`unknown option ${quoted(a)}.`);
    }
  }
  if (!file) throw new UsageError('no input file.');
  if (update && apply === null) throw new UsageError('--update moves the centres of a saved model; it goes with --apply FILE.');
  if (apply !== null && modelSettled.length > 0)
    throw new UsageError(`--apply uses the saved model's settings; ${modelSettled.join(', ')} cannot go with it (analyse without --apply to choose them).`);
  if (encoder !== null && encoder !== 'seqbert' && Object.keys(seqbert).length > 0)
    throw new UsageError(`--bert-* options set the behaviour BERT; they cannot go with --encoder ${encoder}.`);
  // A --bert-* option alone asks for the behaviour BERT, whatever the default encoder.
  if (encoder === null && Object.keys(seqbert).length > 0) encoder = 'seqbert';
  if (encoder === 'featurizer' && model) throw new UsageError('--model names a BERT model; it cannot go with --encoder featurizer.');
  if (!encode && (k !== null || sweep !== null || out !== null || umapFlag || saveModel !== null))
    throw new UsageError("--k, --sweep, --umap, --out and --save-model cluster the encoder's vectors; they cannot go with --no-encode.");
  if (!encode && (gcn === true || evaluateFlag)) throw new UsageError("--gcn on and --eval start from the encoder's vectors; they cannot go with --no-encode.");
  if (evaluateFlag && sequence.by === 'session') throw new UsageError("--eval holds out each user's last basket; it needs --by user.");
  if (evaluateFlag && gcn === false) throw new UsageError('--eval compares the GCN with its baselines; it cannot go with --gcn off.');
  if (k !== null && sweep && (k < sweep.kMin || k > sweep.kMax)) throw new UsageError(`--k ${k} lies outside --sweep ${sweep.kMin}..${sweep.kMax}.`);
  if (out === null && (pseudonymise || epsilon !== null || keyFile !== null || sessionsPerUser !== undefined)) {
    throw new UsageError('--pseudonymise, --key-file, --epsilon and --sessions-per-user apply to the exports; they need --out DIR.');
  }
  if (keyFile !== null && !pseudonymise) throw new UsageError('--key-file is the pseudonymisation key; it goes with --pseudonymise.');
  if (sessionsPerUser !== undefined && epsilon === null)
    throw new UsageError('--sessions-per-user bounds what each user adds to the noised counts; it goes with --epsilon.');
  const clustering = k !== null || sweep !== null || out !== null || umapFlag || saveModel !== null;
  let serviceItems: ServiceSettings;
  try {
    serviceItems = checkServiceSettings(service);
  } catch (e) {
    if (e instanceof ServiceSettingsError) throw new UsageError(`--service-item / --product-item: ${e.message}`);
    throw e;
  }
  return {
    file,
    json,
    sequence,
    encode,
    encoder,
    seqbert,
    model,
    mode,
    halfLifeDays,
    weights: Object.fromEntries(weightEntries),
    k,
    sweep,
    out,
    umap: umapFlag,
    gcn: encode && apply === null && (gcn ?? (clustering || evaluateFlag)),
    epochs,
    eval: evaluateFlag,
    top,
    pseudonymise,
    keyFile,
    epsilon,
    sessionsPerUser,
    dateOrder,
    maxEvents,
    serviceItems,
    saveModel,
    apply,
    update,
  };
}

/** Options whose value a saved model settles: refused with --apply. */
const SETTLED_BY_MODEL = new Set<string>([
  'by',
  'min-length',
  'max-length',
  'dedupe',
  'session-gap',
  'no-encode',
  'encoder',
  'model',
  'mode',
  'half-life',
  'weight',
  'k',
  'sweep',
  'gcn',
  'epochs',
  'eval',
  'service-items',
  'service-item',
  'product-item',
  'bert-epochs',
  'bert-layers',
  'bert-hidden',
  'bert-heads',
  'bert-max-len',
  'bert-backend',
]);

/** The encoder that runs: --encoder, else the default kind. */
export function encoderKindOf(args: Pick<Args, 'encoder'>): EncoderKind {
  return args.encoder ?? DEFAULT_ENCODER_KIND;
}

/**
 * The behaviour BERT's options from --bert-*, its shape checked with the stage's own rule and
 * message (0 layers, a hidden size the heads do not divide, a maximum length of 0), named by option.
 */
export function seqBertOptionsOf(args: Pick<Args, 'seqbert'>): Partial<SeqBertOptions> {
  const a = args.seqbert;
  const o: Partial<SeqBertOptions> = {};
  if (a.epochs !== undefined) o.epochs = a.epochs;
  if (a.layers !== undefined) o.layers = a.layers;
  if (a.hidden !== undefined) o.hidden = a.hidden;
  if (a.heads !== undefined) o.heads = a.heads;
  if (a.maxLen !== undefined) o.maxLen = a.maxLen;
  // Node: the wasm backend unless told otherwise ('auto' would find no GPU and pick it anyway).
  o.backend = a.backend ?? 'auto';
  try {
    validateArchitecture({ ...DEFAULT_SEQBERT_OPTIONS, ...o });
  } catch (e) {
    if (!(e instanceof SeqBertError)) throw e;
    const set = (
      [
        ['layers', '--bert-layers'],
        ['hidden', '--bert-hidden'],
        ['heads', '--bert-heads'],
        ['maxLen', '--bert-max-len'],
      ] as const
    )
      .filter(([k]) => a[k] !== undefined)
      .map(([k, flag]) => `${flag} ${a[k]}`);
    throw new UsageError(`${set.length ? `${set.join(', ')}: ` : ''}${e.message}`);
  }
  return o;
}
