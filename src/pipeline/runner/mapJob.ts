// What the runner keeps of the last finished K sweep, and everything made from it: the UMAP
// layout, the points' attributes, the profiles and recommendations of each K, the exports. The
// sweep's labels stay here (the page gets copies), so choosing another K, opening a user or
// exporting never sends the clustering back across the thread boundary. Pure TypeScript over the
// pipeline stages: no DOM, so the worker and the CLI hold the same one.
import type { Analysis } from '../analyze';
import { noResultStore, stableKey, type ResultStore } from './resultStore';
import { PER_CLUSTER, PER_USER, TIMELINE_LIMIT, TRUST_K } from './constants';
import {
  assignmentsCsv,
  assignmentsJson,
  checkEpsilon,
  cryptoUniform,
  PrivacyOptionError,
  privateProfiles,
  privacySummary,
  profilesCsv,
  profilesJson,
  pseudonymKey,
  pseudonymLookup,
  pseudonymsOf,
  recommendationsCsv,
  recommendationsJson,
  type ExportResult,
  type PrivacyStatement,
} from '../export';
import { layoutTrustworthiness, umap, type CancelToken, type Matrix } from '../project';
import {
  profileClusters,
  profileTooLittleHistory,
  TOO_LITTLE_HISTORY_CLUSTER,
  sequenceTimeline,
  userAttributes,
  type ClusterProfiles,
  type UserAttributes,
} from '../profile';
import {
  recommendForClusters,
  recommendForSequences,
  recommendForSequencesOnThreads,
  type ClusterRecommendations,
  type ListsOfUser,
  type RankedItems,
  type SequenceRecommender,
} from '../recommend';
import type { BasketSource } from '../eval/baskets';
import type { ParquetExportKind, ParquetResult } from '../export/parquet';
import type { HelperThreads } from '../threads';
import { leftSequences, narrowSequences, sequenceLabel, SHORT, type Sequences } from '../sequences';
import type {
  ClusterResult,
  ExportFile,
  ExportRequest,
  ParquetExportFile,
  ParquetExportRequest,
  MapData,
  ProjectProgressWire,
  ProjectRequest,
  ProjectResult,
  RecommendationsWire,
  RecommendedItemWire,
  UserDetails,
  WireError,
} from './contract';

/** The three files of `--out` (everything at one K), and the profiles as written (noised with epsilon). */
export interface AllExports {
  assignments: ExportResult;
  profilesFile: ExportResult;
  recommendations: ExportResult;
  /** What the lists learnt from (purchases, or every event where the log has none, by user or session). */
  recommendationSource: BasketSource;
  profiles: ClusterProfiles;
  privacy?: PrivacyStatement;
}

/** GCN vectors of the training the sweep's vectors came from, for recommendations. */
export interface GcnVectors {
  users: Float32Array;
  items: Float32Array;
  dims: number;
}

export class SweptClusters {
  private projected: { coords: Float32Array; seed: number } | null = null;
  private attributes: UserAttributes | null = null;
  private idList: string[] | null = null;
  private readonly profileCache = new Map<number, ClusterProfiles>();
  private readonly recCache = new Map<number, ClusterRecommendations>();
  /** Each user's own lists of `top` items (fitted once per log and service-line choice; not per K). */
  private perUserRecs: { top: number; r: SequenceRecommender } | null = null;
  /** Items left out of profiles and recommendations (service lines; pipeline/catalog), or null. */
  private exclude: Uint8Array | null = null;
  /** Helper threads for every user's lists at once (the exports); null: this thread only. */
  private threads: HelperThreads | null = null;
  /** The sequences under the minimum length (customers with too little history yet), made once. */
  private shortSeq: Sequences | null = null;
  private shortIdList: string[] | null = null;
  private shortProfile: { p: ClusterProfiles['tooLittleHistory'] } | null = null;
  /** Segment names in place of the profiles' own labels (a saved model's), or null. */
  private names: readonly string[] | null = null;

  constructor(
    readonly analysis: Analysis,
    /** The vectors that were clustered (n x d). */
    readonly vectors: Matrix,
    readonly n: number,
    readonly d: number,
    readonly result: ClusterResult,
    /** Copies of result.labels (the originals go to the page), same order as result.entries. */
    private readonly labels: Int32Array[],
    readonly gcn: GcnVectors | null,
    readonly fileName: string,
    /** The sweep's saved-result key and the saved analysis it belongs to (see analysisStore.ts). */
    private readonly saved: { key: string; analysis: string },
    /** Where the map is kept for next time (the browser's IndexedDB; nowhere in the CLI). */
    private readonly store: ResultStore = noResultStore,
  ) {}

  labelsOf(k: number): Int32Array {
    const at = this.result.entries.findIndex((e) => e.k === k);
    if (at < 0) {
      const ks = this.result.entries.map((e) => e.k);
      throw { message: `K = ${k} was not part of the sweep (${ks[0]}..${ks[ks.length - 1]}).`, code: 'project-input' } satisfies WireError;
    }
    return this.labels[at];
  }

  /** Sets the service lines to leave out; the profiles and recommendations made without them are dropped. */
  setExcludedItems(mask: Uint8Array | null): void {
    if (mask === this.exclude) return;
    this.exclude = mask;
    // The map's per-user revenue leaves them out too.
    this.attributes = null;
    this.profileCache.clear();
    this.recCache.clear();
    this.perUserRecs = null;
    this.shortProfile = null;
  }

  /** Names the segments (a saved model's labels) instead of the profiles' automatic labels; null: the automatic ones. */
  setClusterNames(names: readonly string[] | null): void {
    this.names = names;
    this.profileCache.clear();
  }

  /** Helper threads the exports may spread the per-user lists over (the runner's). */
  setThreads(threads: HelperThreads | null): void {
    this.threads = threads;
  }

  get coords(): Float32Array | null {
    return this.projected?.coords ?? null;
  }

  /**
   * Lays the clustered vectors out in 2-D. A log of at most 2 x TRUST_K points gets no
   * trustworthiness (NaN, with a warning): the measure is undefined there, and a merchant's small
   * log still gets its map (the page used to fail it with the measure's error). `trust: 'always'`
   * insists, for callers that want that error.
   */
  async project(
    req: ProjectRequest,
    onProgress: (p: ProjectProgressWire) => void,
    cancel: CancelToken,
    opts: { trust?: 'always' | 'when-defined' } = {},
  ): Promise<ProjectResult> {
    const seed = req.seed ?? 0;
    const t0 = performance.now();
    const key = await stableKey(this.saved.key, 'map', { seed, nNeighbors: req.nNeighbors ?? null, minDist: req.minDist ?? null });
    const hit = await this.store.get<ProjectResult>(key);
    if (cancel.cancelled) throw { message: 'The map was cancelled.', code: 'cancelled' } satisfies WireError;
    if (hit) {
      this.projected = { coords: hit.coords, seed };
      return { ...hit, coords: hit.coords.slice(), restored: true, seconds: (performance.now() - t0) / 1000 };
    }
    const r = await umap(
      this.vectors,
      this.n,
      this.d,
      { seed, ...(req.nNeighbors ? { nNeighbors: req.nNeighbors } : {}), ...(req.minDist !== undefined ? { minDist: req.minDist } : {}) },
      // The trustworthiness step below takes the last tenth of the bar.
      { cancel, onProgress: (p) => onProgress({ stage: p.stage, epoch: p.epoch, overall: p.overall * 0.9 }) },
    );
    if (cancel.cancelled) throw { message: 'The map was cancelled.', code: 'cancelled' } satisfies WireError;
    onProgress({ stage: 'trust', epoch: 0, overall: 0.9 });
    const t1 = performance.now();
    const warnings = [...r.stats.warnings];
    let trust: { value: number; exact: boolean; sampleSize: number; standardError: number } = { value: NaN, exact: true, sampleSize: 0, standardError: 0 };
    if (opts.trust === 'always' || this.n > 2 * TRUST_K) {
      trust = layoutTrustworthiness(this.vectors, this.n, this.d, r.embedding, { seed, k: TRUST_K });
    } else {
      warnings.push(`Trustworthiness with ${TRUST_K} neighbours needs more than ${2 * TRUST_K} points; there are ${this.n}, so it is left out (null).`);
    }
    const trustMs = performance.now() - t1;
    this.projected = { coords: r.embedding, seed };
    const { timings } = r.stats;
    const result: ProjectResult = {
      coords: r.embedding.slice(),
      n: this.n,
      source: this.result.source,
      trustworthiness: { value: trust.value, exact: trust.exact, sampleSize: trust.sampleSize, standardError: trust.standardError },
      nNeighbors: r.stats.nNeighbors,
      nEpochs: r.stats.nEpochs,
      seed,
      seconds: (performance.now() - t0) / 1000,
      timings: { knnMs: timings.knnMs, graphMs: timings.graphMs, layoutMs: timings.initMs + timings.layoutMs, trustMs },
      warnings,
    };
    if (this.saved.analysis) result.saveError = await this.store.put(key, 'map', this.saved.analysis, { ...result, coords: r.embedding });
    return result;
  }

  /** Every point's user (or session) id, made once: the map data and every export read it. */
  private ids(): readonly string[] {
    if (!this.idList) {
      const { table } = this.analysis.ingested;
      const seq = this.analysis.sequences;
      this.idList = new Array<string>(seq.count);
      for (let i = 0; i < seq.count; i++) this.idList[i] = sequenceLabel(table, seq, i);
    }
    return this.idList;
  }

  /** The customers (or sessions) with too little history to cluster: not on the map, a group of their own. */
  private short(): Sequences {
    this.shortSeq ??= leftSequences(this.analysis.sequences, SHORT);
    return this.shortSeq;
  }

  private shortIds(): readonly string[] {
    if (!this.shortIdList) {
      const short = this.short();
      const { table } = this.analysis.ingested;
      this.shortIdList = Array.from({ length: short.count }, (_x, i) => sequenceLabel(table, short, i));
    }
    return this.shortIdList;
  }

  /** The table user of short sequence i (its session's user when by session), -1 if none. */
  private shortUser(i: number, recs: SequenceRecommender): number {
    const short = this.short();
    if (short.by === 'user') return short.key[i];
    const lo = short.offsets[i];
    return short.offsets[i + 1] > lo ? recs.customerOf(short.events[lo]) : -1;
  }

  private tooLittleHistory(): ClusterProfiles['tooLittleHistory'] {
    if (!this.shortProfile) {
      const { table } = this.analysis.ingested;
      const minLength = this.analysis.report.options.minLength;
      this.shortProfile = { p: profileTooLittleHistory(table, this.analysis.sequences, minLength, { exclude: this.exclude }) };
    }
    return this.shortProfile.p;
  }

  private attrs(): UserAttributes {
    this.attributes ??= userAttributes(this.analysis.ingested.table, this.analysis.sequences, this.exclude);
    return this.attributes;
  }

  mapData(): MapData {
    const { table } = this.analysis.ingested;
    const itemLabels = new Array<string>(table.items.length);
    for (let i = 0; i < itemLabels.length; i++) itemLabels[i] = table.itemTitle[i] || table.items[i];
    const attributes = this.attrs();
    let hasCountry = false;
    for (let i = 0; i < attributes.n && !hasCountry; i++) hasCountry = attributes.country[i] >= 0;
    return {
      n: this.n,
      ids: this.ids(),
      attributes,
      typeNames: table.typeNames,
      countries: table.countries,
      itemLabels,
      hasPrice: table.hasPrice,
      hasTime: table.hasTime,
      hasCountry,
    };
  }

  profiles(k: number): ClusterProfiles {
    let p = this.profileCache.get(k);
    if (!p) {
      p = profileClusters(this.analysis.ingested.table, this.analysis.sequences, this.labelsOf(k), k, { exclude: this.exclude });
      const few = this.tooLittleHistory();
      if (few) p.tooLittleHistory = few;
      const names = this.names;
      if (names) for (const c of p.clusters) if (names[c.cluster]) c.label = names[c.cluster];
      this.profileCache.set(k, p);
    }
    return p;
  }

  private recs(k: number): ClusterRecommendations {
    let r = this.recCache.get(k);
    if (!r) {
      const { table } = this.analysis.ingested;
      r = recommendForClusters(
        {
          table,
          sequences: this.analysis.sequences,
          labels: this.labelsOf(k),
          k,
          itemVectors: this.gcn?.items ?? null,
          userVectors: this.gcn?.users ?? null,
          dims: this.gcn?.dims ?? 0,
        },
        { perCluster: PER_CLUSTER },
      );
      if (this.exclude) r = withoutItems(r, this.exclude);
      this.recCache.set(k, r);
    }
    return r;
  }

  private wireItems(list: RankedItems & { reasons?: readonly string[] }, max: number): RecommendedItemWire[] {
    const { table } = this.analysis.ingested;
    const out: RecommendedItemWire[] = [];
    for (let j = 0; j < Math.min(max, list.items.length); j++) {
      const item = list.items[j];
      out.push({ id: table.items[item], title: table.itemTitle[item] ?? '', score: list.scores[j], ...(list.reasons ? { reason: list.reasons[j] } : {}) });
    }
    return out;
  }

  recommendations(k: number, perCluster: number): RecommendationsWire {
    const r = this.recs(k);
    return { k, method: r.method, clusters: r.clusters.map((c) => this.wireItems(c, perCluster)) };
  }

  /** The per-user recommender with lists of `top` items, fitted on first use. */
  private userRecommender(top = PER_USER): SequenceRecommender {
    if (this.perUserRecs?.top !== top) {
      const { table } = this.analysis.ingested;
      this.perUserRecs = { top, r: recommendForSequences(table, this.analysis.sequences, top, { exclude: this.exclude ?? undefined }) };
    }
    return this.perUserRecs.r;
  }

  /**
   * userRecommender for an export, which lists every user: a large log's recommender is fitted and
   * all its lists made on the helper threads (the same lists as userRecommender's).
   */
  private async allUsersRecommender(top = PER_USER): Promise<SequenceRecommender> {
    const cached = this.perUserRecs;
    if (cached?.top === top) return cached.r;
    const exclude = this.exclude;
    const r = await recommendForSequencesOnThreads(this.analysis.ingested.table, this.analysis.sequences, top, { exclude: exclude ?? undefined }, this.threads);
    // The service lines changed while it ran: these lists are stale.
    if (exclude !== this.exclude) return this.userRecommender(top);
    this.perUserRecs = { top, r };
    return r;
  }

  /** Sequence `index`'s user's own lists. */
  private userRecs(index: number): ListsOfUser {
    return this.userRecommender().listsFor(index);
  }

  userDetails(index: number, k: number): UserDetails {
    if (!Number.isInteger(index) || index < 0 || index >= this.n) {
      throw { message: `There is no point ${index} on the map (it has ${this.n}).`, code: 'project-input' } satisfies WireError;
    }
    const labels = this.labelsOf(k);
    return {
      timeline: sequenceTimeline(this.analysis.ingested.table, this.analysis.sequences, index, TIMELINE_LIMIT),
      cluster: labels[index],
      ...(() => {
        const lists = this.userRecs(index);
        const history = this.userRecommender().source.events === 'all' ? 'events' : 'purchases';
        return { recommendations: this.wireItems(lists.new, PER_USER), again: this.wireItems(lists.again, PER_USER), history };
      })(),
    };
  }

  /**
   * The file of an export request. With req.pseudonymise, user ids are replaced by HMACs under
   * this browser's secret (`secret`, kept in IndexedDB; tests pass their own); with req.epsilon,
   * profiles carry Laplace noise and say so (see privateProfiles).
   */
  async exportData(req: ExportRequest, secret: () => Promise<Uint8Array>): Promise<ExportFile> {
    const { table } = this.analysis.ingested;
    const labels = this.labelsOf(req.k);
    const selection = req.selection ? checkSelection(req.selection, this.n) : null;
    const profiles = this.profiles(req.k);
    const clusterLabels = profiles.clusters.map((c) => c.label);
    const base = `seqlens-${stem(this.fileName)}-k${req.k}${selection ? '-selection' : ''}`;
    const json = req.format === 'json';
    if (req.what === 'profiles') {
      // Profiles of a selection are the profiles of the clusters it touches, computed on its members only.
      let p: ClusterProfiles;
      let privacy: PrivacyStatement | undefined;
      if (req.epsilon === undefined || req.epsilon === null) p = selection ? this.selectionProfiles(selection, labels, req.k) : profiles;
      else {
        try {
          // Each user's contribution bounded first (by session: capped sessions per user, or per session without ids).
          ({ profiles: p, privacy } = privateProfiles(table, this.analysis.sequences, labels, req.k, {
            epsilon: checkEpsilon(req.epsilon),
            uniform: cryptoUniform(),
            selection,
            sessionsPerUser: req.sessionsPerUser ?? undefined,
            profile: { exclude: this.exclude },
          }));
        } catch (e) {
          if (e instanceof PrivacyOptionError) throw { message: e.message, code: 'project-input' } satisfies WireError;
          throw e;
        }
      }
      const out = json
        ? profilesJson(p, { file: this.fileName, k: req.k, generatedAt: new Date().toISOString(), privacy, currency: this.analysis.report.currency })
        : profilesCsv(p, privacy);
      const name = privacy ? `${base}-profiles-dp-eps${String(privacy.epsilon).replace(/[^0-9.]/g, '')}` : `${base}-profiles`;
      return file(name, json, out, privacy ? privacySummary(privacy) : undefined);
    }
    const ids = req.pseudonymise ? await this.pseudonymIds(selection, secret) : this.ids();
    const suffix = req.pseudonymise ? '-pseudonymised' : '';
    const stated = req.pseudonymise ? 'user ids pseudonymised (keyed hash; the key stays in this browser)' : undefined;
    // Everything (no selection) includes the customers with too little history yet, after the map's points.
    const few = selection ? [] : req.pseudonymise ? await this.pseudonymShortIds(secret) : this.shortIds();
    if (req.what === 'assignments') {
      const input = { ids, labels, coords: this.coords, clusterLabels, selection, tooLittleHistory: few };
      const out = json ? assignmentsJson(input) : assignmentsCsv(input);
      return file(`${base}-assignments${suffix}`, json, out, stated);
    }
    const n = this.n;
    await this.allUsersRecommender();
    const input = {
      ids: few.length ? (ids as string[]).concat(few) : ids,
      labels: withTooLittleHistory(labels, few.length),
      selection,
      perUser: (i: number) => (i < n ? this.userRecs(i) : this.userRecommender().listsForUser(this.shortUser(i - n, this.userRecommender()))),
      itemIds: table.items,
      itemTitles: table.itemTitle,
      clusterLabels,
    };
    const out = json ? recommendationsJson(input) : recommendationsCsv(input);
    return file(`${base}-recommendations${suffix}`, json, out, stated);
  }

  /**
   * Everything at K as `--out` writes it: assignments (with the map's coordinates when there is
   * one), profiles (noised with `epsilon`; the labels stay the exact profiles') and each user's
   * lists of `top` items, followed by the customers the sequence filters left out (cluster -1).
   * With `secret`, user ids are keyed hashes.
   */
  async exportAll(
    k: number,
    o: { top: number; secret: Uint8Array | null; epsilon: number | null; sessionsPerUser?: number; generatedAt?: string },
  ): Promise<AllExports> {
    const { table } = this.analysis.ingested;
    const sequences = this.analysis.sequences;
    const n = this.n;
    const labels = this.labelsOf(k);
    const exact = this.profiles(k);
    const secret = o.secret;
    const ids = secret ? await this.pseudonymIds(null, async () => secret) : this.ids();
    let profiles = exact;
    let privacy: PrivacyStatement | undefined;
    if (o.epsilon !== null) {
      ({ profiles, privacy } = privateProfiles(table, sequences, labels, k, {
        epsilon: o.epsilon,
        uniform: cryptoUniform(),
        sessionsPerUser: o.sessionsPerUser,
        profile: { exclude: this.exclude },
      }));
    }
    // Labels are the exact profiles' (the noised keep them; they are stated as not protected).
    const clusterLabels: string[] = new Array<string>(k).fill('');
    for (const c of exact.clusters) clusterLabels[c.cluster] = c.label;
    const few = secret ? await this.pseudonymShortIds(async () => secret) : this.shortIds();
    const assignments = assignmentsCsv({ ids, labels, coords: this.coords, clusterLabels, selection: null, tooLittleHistory: few });
    const profilesFile = profilesJson(profiles, {
      file: this.fileName,
      k,
      generatedAt: o.generatedAt ?? new Date().toISOString(),
      privacy,
      currency: this.analysis.report.currency,
    });
    // Each user's own lists (not the cluster's: that stays in the profiles as the segment summary).
    const recs = await this.allUsersRecommender(o.top);
    // Customers with too little history yet (a single purchase...) still get their lists (buy
    // again, popular), after the sequences, in their own group (cluster -1). Bots get none.
    const recommendations = recommendationsCsv({
      ids: (ids as string[]).concat(few),
      labels: withTooLittleHistory(labels, few.length),
      selection: null,
      perUser: (i) => (i < n ? recs.listsFor(i) : recs.listsForUser(this.shortUser(i - n, recs))),
      itemIds: table.items,
      itemTitles: table.itemTitle,
      clusterLabels,
    });
    return { assignments, profilesFile, recommendations, recommendationSource: recs.source, profiles, ...(privacy ? { privacy } : {}) };
  }

  /**
   * The Parquet files at K (export/parquet.ts), all or `only` one: the clustered vectors per
   * sequence, the item vectors (the graph network's when it made the clustered vectors, else the
   * encoder's item rows, `encoded`, when they belong to this log; none otherwise), the assignments
   * as assignments.csv has them (map coordinates, too little history last) and each cluster's
   * centre (the mean of its members' clustered vectors). With `secret`, user ids are keyed hashes.
   * The writer is loaded on first use: the page does not carry it until then.
   */
  async parquetExports(
    k: number,
    o: {
      secret: Uint8Array | null;
      encoded: { analysis: Analysis; items: Float32Array; itemDims: number } | null;
      only?: ParquetExportKind;
    },
  ): Promise<Partial<Record<ParquetExportKind, ParquetResult>>> {
    const pq = await import('../export/parquet');
    const { table } = this.analysis.ingested;
    const labels = this.labelsOf(k);
    const clusterLabels: string[] = new Array<string>(k).fill('');
    for (const c of this.profiles(k).clusters) clusterLabels[c.cluster] = c.label;
    const secret = o.secret;
    const want = (kind: ParquetExportKind): boolean => o.only === undefined || o.only === kind;
    const ids = want('userVectors') || want('assignments') ? (secret ? await this.pseudonymIds(null, async () => secret) : this.ids()) : [];
    const out: Partial<Record<ParquetExportKind, ParquetResult>> = {};
    if (want('userVectors')) out.userVectors = pq.userVectorsParquet({ ids, labels, clusterLabels, vectors: this.vectors, d: this.d });
    if (want('itemVectors')) {
      const items = this.gcn
        ? { vectors: this.gcn.items, d: this.gcn.dims }
        : o.encoded && o.encoded.analysis === this.analysis
          ? { vectors: o.encoded.items, d: o.encoded.itemDims }
          : null;
      if (items && items.d > 0 && items.vectors.length === table.items.length * items.d)
        out.itemVectors = pq.itemVectorsParquet({ ids: table.items, titles: table.itemTitle, ...items });
    }
    if (want('assignments')) {
      const few = secret ? await this.pseudonymShortIds(async () => secret) : this.shortIds();
      out.assignments = pq.assignmentsParquet({ ids, labels, coords: this.coords, clusterLabels, selection: null, tooLittleHistory: few });
    }
    if (want('centroids')) {
      const { centres, sizes } = pq.clusterCentres(this.vectors, this.n, this.d, labels, k);
      out.centroids = pq.centroidsParquet({ centres, d: this.d, clusterLabels, sizes });
    }
    return out;
  }

  /**
   * One Parquet file of the export panel (see parquetExports): with req.pseudonymise, the user ids
   * of user vectors and assignments are keyed hashes under this browser's secret.
   */
  async parquetFile(
    req: ParquetExportRequest,
    encoded: { analysis: Analysis; items: Float32Array; itemDims: number } | null,
    secret: () => Promise<Uint8Array>,
  ): Promise<ParquetExportFile> {
    const hasIds = req.what === 'userVectors' || req.what === 'assignments';
    const pseudonymise = hasIds && req.pseudonymise === true;
    const made = await this.parquetExports(req.k, { secret: pseudonymise ? await secret() : null, encoded, only: req.what });
    const r = made[req.what];
    if (!r) throw { message: 'This analysis has no item vectors to export: encode the sequences again.', code: 'project-input' } satisfies WireError;
    const { PARQUET_FILES, PARQUET_MIME } = await import('../export/parquet');
    const kind = PARQUET_FILES[req.what].replace(/\.parquet$/, '');
    return {
      name: `seqlens-${stem(this.fileName)}-k${req.k}-${kind}${pseudonymise ? '-pseudonymised' : ''}.parquet`,
      mime: PARQUET_MIME,
      bytes: r.bytes,
      rows: r.rows,
      ...(pseudonymise ? { privacy: 'user ids pseudonymised (keyed hash; the key stays in this browser)' } : {}),
    };
  }

  /**
   * Per sequence its pseudonym; only the exported sequences are hashed (the others get '', which
   * the export never reads). The export functions stay synchronous: the HMACs are computed here first.
   */
  private async pseudonymIds(selection: Int32Array | null, secret: () => Promise<Uint8Array>): Promise<string[]> {
    const ids = this.ids();
    const wanted = selection ? Array.from(selection, (i) => ids[i]) : ids;
    const look = pseudonymLookup(await pseudonymsOf(wanted, await pseudonymKey(await secret())));
    if (!selection) return ids.map(look);
    const out = new Array<string>(ids.length).fill('');
    for (const i of selection) out[i] = look(ids[i]);
    return out;
  }

  private async pseudonymShortIds(secret: () => Promise<Uint8Array>): Promise<string[]> {
    const few = this.shortIds();
    if (few.length === 0) return [];
    const look = pseudonymLookup(await pseudonymsOf(few, await pseudonymKey(await secret())));
    return few.map(look);
  }

  /** Profiles over the selected points only: the others are left out by a label no cluster has. */
  private selectionProfiles(selection: Int32Array, labels: Int32Array, k: number): ClusterProfiles {
    const seq = this.analysis.sequences;
    // The profile stage profiles every sequence; a sub-analysis of the selected sequences keeps the
    // table and narrows the sequences' CSR to the selection.
    const order = Int32Array.from(selection).sort();
    const subLabels = new Int32Array(order.length);
    for (let j = 0; j < order.length; j++) subLabels[j] = labels[order[j]];
    return profileClusters(this.analysis.ingested.table, narrowSequences(seq, order), subLabels, k, { exclude: this.exclude });
  }
}

/** The sequences' labels followed by `extra` rows of the too-little-history group (cluster -1). */
function withTooLittleHistory(labels: Int32Array, extra: number): Int32Array {
  if (extra === 0) return labels;
  const out = new Int32Array(labels.length + extra).fill(TOO_LITTLE_HISTORY_CLUSTER);
  out.set(labels);
  return out;
}

/** The lists without the masked items (service lines): they are not products to recommend. */
function withoutItems(r: ClusterRecommendations, mask: Uint8Array): ClusterRecommendations {
  const keep = (l: RankedItems): RankedItems => {
    const at: number[] = [];
    for (let j = 0; j < l.items.length; j++) if (mask[l.items[j]] !== 1) at.push(j);
    return { ...l, items: Int32Array.from(at, (j) => l.items[j]), scores: Float64Array.from(at, (j) => l.scores[j]) };
  };
  return { ...r, clusters: r.clusters.map(keep), popular: keep(r.popular) };
}

function checkSelection(selection: Int32Array, n: number): Int32Array {
  for (const i of selection) {
    if (!Number.isInteger(i) || i < 0 || i >= n) {
      throw { message: `The selection holds a point (${i}) that is not on the map; select again.`, code: 'project-input' } satisfies WireError;
    }
  }
  if (selection.length === 0)
    throw { message: 'The selection is empty: select some points on the map, or export everything.', code: 'project-input' } satisfies WireError;
  return selection;
}

/** The file name without its extension(s), kept to safe characters. */
function stem(name: string): string {
  const base = name.replace(/\.(csv|tsv|txt|jsonl|json|ndjson|parquet)(\.gz)?$/i, '').replace(/\.gz$/i, '');
  return base.replace(/[^\p{L}\p{N}._-]+/gu, '_').slice(0, 60) || 'log';
}

function file(name: string, json: boolean, out: ExportResult, privacy?: string): ExportFile {
  return {
    name: `${name}.${json ? 'json' : 'csv'}`,
    mime: json ? 'application/json' : 'text/csv;charset=utf-8',
    parts: out.parts,
    rows: out.rows,
    ...(privacy ? { privacy } : {}),
  };
}
