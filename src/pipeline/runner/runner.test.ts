import { describe, expect, it } from 'vitest';
import { ClusteringCancelledError } from '../cluster';
import { createFeaturizer } from '../encode';
import { blobSource } from '../ingest/parts';
import { layoutTrustworthiness, ProjectionInputError } from '../project';
import { cliFailure, toWire } from './errors';
import { PipelineRunner } from './runner';
import type { ResultStore } from './resultStore';
import { exportText } from '../export';

/** Three shopper segments over their own items, 20 users each, 6 events per user. */
function segmentedLog(): string {
  const rows = ['user_id,item_id,title,event_type,timestamp,price'];
  const segments = [
    ['red shirt', 'blue shirt', 'green shirt', 'wool scarf'],
    ['garden hose', 'lawn mower', 'rake', 'seed pack'],
    ['usb cable', 'phone charger', 'laptop stand', 'hdmi adapter'],
  ];
  const start = Date.UTC(2024, 0, 1);
  let minute = 0;
  for (let s = 0; s < segments.length; s++) {
    for (let u = 0; u < 20; u++) {
      for (let e = 0; e < 6; e++) {
        const title = segments[s][(u + e) % 4];
        const type = e === 5 ? 'purchase' : 'view';
        rows.push(`u${s}_${u},${title.replace(/ /g, '_')},${title},${type},${new Date(start + ++minute * 60_000).toISOString()},${5 + s}`);
      }
    }
  }
  return rows.join('\n');
}

async function opened(runner = new PipelineRunner()): Promise<PipelineRunner> {
  const analysis = await runner.read(blobSource(new Blob([segmentedLog()])), { fileName: 'shop.csv' });
  await runner.use(analysis, 'file-1');
  return runner;
}

// The text encoder, named: the default kind (the behaviour BERT) is seqbert.test.ts's subject.
const encodeReq = { model: 'featurizer', mode: 'items' as const, weights: {}, halfLifeDays: 0, kind: 'text' as const };
const sweepReq = { kMin: 2, kMax: 4, device: 'cpu' as const, threads: 'off' as const };

/** A result store in memory: what the browser's IndexedDB does, for the runner. */
function memoryStore(): ResultStore & { saved: Map<string, unknown> } {
  const saved = new Map<string, unknown>();
  return {
    saved,
    get: async <T>(key: string) => (saved.get(key) as T | undefined) ?? null,
    put: async (key, _stage, _analysis, value) => {
      saved.set(key, structuredClone(value));
      return null;
    },
  };
}

describe('PipelineRunner', () => {
  it('runs the stages in order and says what to do first when one is skipped', async () => {
    const runner = await opened();
    expect(() => runner.clusterInput()).toThrow(expect.objectContaining({ code: 'cluster-input' }) as unknown as Error);
    expect(() => runner.sweep()).toThrow(expect.objectContaining({ code: 'project-input' }) as unknown as Error);
    await expect(runner.gcn({ epochs: 2 }, {})).rejects.toMatchObject({ code: 'gcn-input' });

    const encoded = await runner.encode(encodeReq, createFeaturizer());
    expect(encoded.n).toBe(60);
    const result = await runner.cluster(sweepReq);
    expect(result.entries.map((e) => e.k)).toEqual([2, 3, 4]);
    expect(result.source.stage).toBe('encoder');
    const swept = runner.sweep();
    expect(swept.profiles(3).clusters).toHaveLength(3);
    const map = await swept.project({ seed: 0 }, () => {}, { cancelled: false });
    expect(map.coords).toHaveLength(120);
    const files = await swept.exportAll(3, { top: 5, secret: null, epsilon: null });
    expect(files.assignments.rows).toBe(60);
    expect(exportText(files.assignments).split('\r\n')[0]).toBe('user_id,cluster,x,y,label');
  });

  it('lists recommendations for every session of a log of anonymous sessions, those with too little history too', async () => {
    const rows = ['session_id,item_id,event_type,timestamp'];
    // 60 sessions of 3-5 views over 12 items, and 10 of a single view (too little history to cluster).
    for (let s = 0; s < 60; s++)
      for (let e = 0; e < 3 + (s % 3); e++)
        rows.push(`s${s},i${(s + e * e) % 12},view,2024-03-01T${String(8 + (s % 10)).padStart(2, '0')}:${String(e * 7).padStart(2, '0')}:00Z`);
    for (let s = 0; s < 10; s++) rows.push(`one${s},i${s},view,2024-03-02T10:00:00Z`);
    const runner = new PipelineRunner();
    await runner.use(await runner.read(blobSource(new Blob([rows.join('\n')])), { fileName: 'visits.csv' }), 'visits');
    await runner.encode(encodeReq, createFeaturizer());
    await runner.cluster(sweepReq);
    const files = await runner.sweep().exportAll(2, { top: 5, secret: null, epsilon: null });
    const lines = exportText(files.recommendations).split('\r\n').slice(1).filter(Boolean);
    const ids = new Set(lines.map((l) => l.split(',')[0]));
    for (let s = 0; s < 60; s++) expect(ids.has(`s${s}`)).toBe(true);
    for (let s = 0; s < 10; s++) expect(ids.has(`one${s}`)).toBe(true);
    // A single-view session's new list leaves out what it viewed; its again list is that view.
    const one = lines.filter((l) => l.startsWith('one3,'));
    expect(one.some((l) => l.includes(',new,') && l.includes(',i3,'))).toBe(false);
    expect(one.filter((l) => l.includes(',again,')).map((l) => l.split(',')[5])).toEqual(['i3']);
  });

  it('maps a log of 30 or fewer customers without its trustworthiness (undefined there) rather than failing', async () => {
    const rows = ['user_id,item_id,event_type,timestamp'];
    for (let u = 0; u < 30; u++) for (let e = 0; e < 3; e++) rows.push(`c${u},i${(u + e * 5) % 9},purchase,2024-03-0${1 + e}T10:00:00Z`);
    const runner = new PipelineRunner();
    await runner.use(await runner.read(blobSource(new Blob([rows.join('\n')])), { fileName: 'small.csv' }), 'small');
    await runner.encode(encodeReq, createFeaturizer());
    await runner.cluster(sweepReq);
    const map = await runner.sweep().project({ seed: 0 }, () => {}, { cancelled: false });
    expect(map.n).toBe(30);
    expect(map.coords.every(Number.isFinite)).toBe(true);
    expect(map.trustworthiness.value).toBeNaN();
    expect(map.warnings.join(' ')).toMatch(/needs more than 30 points; there are 30/);
    // Asked for anyway, the measure says why it cannot be had.
    await expect(runner.sweep().project({ seed: 1 }, () => {}, { cancelled: false }, { trust: 'always' })).rejects.toThrow(/1 <= k < n\/2/);
  });

  it('drops what a new log, a regroup or a new encode makes stale', async () => {
    const runner = await opened();
    await runner.encode(encodeReq, createFeaturizer());
    await runner.gcn({ epochs: 2, earlyStopping: null }, {});
    expect(runner.trained).not.toBeNull();
    const gcnSweep = await runner.cluster({ ...sweepReq, vectors: 'gcn' });
    expect(gcnSweep.source).toMatchObject({ stage: 'gcn', gcn: { epochs: 2 } });

    // A new encode: the training and the sweep were made from the old vectors.
    await runner.encode({ ...encodeReq, halfLifeDays: 7 }, createFeaturizer());
    expect(runner.trained).toBeNull();
    expect(runner.swept).toBeNull();
    expect(() => runner.clusterInput('gcn')).toThrow(expect.objectContaining({ code: 'cluster-input' }) as unknown as Error);

    await runner.cluster(sweepReq);
    const before = runner.log!.key;
    await runner.regroup({ ...runner.log!.analysis.report.options, minLength: 3 });
    expect(runner.log!.key).not.toBe(before);
    expect(runner.encoded).toBeNull();
    expect(runner.swept).toBeNull();
  });

  it('answers a stage from the result store under the same settings, and computes afresh under others', async () => {
    const store = memoryStore();
    const first = await opened(new PipelineRunner({ store }));
    await first.encode(encodeReq, createFeaturizer());
    const computed = await first.cluster(sweepReq);
    expect(computed.restored).toBeUndefined();

    const second = await opened(new PipelineRunner({ store }));
    await second.encode(encodeReq, createFeaturizer());
    const restored = await second.cluster(sweepReq);
    expect(restored.restored).toBe(true);
    expect(restored.labels.map((l) => Array.from(l))).toEqual(computed.labels.map((l) => Array.from(l)));
    const other = await second.cluster({ ...sweepReq, kMax: 3 });
    expect(other.restored).toBeUndefined();
  });

  it('a cancelled signal ends a stage with its own cancelled error', async () => {
    const runner = await opened();
    await runner.encode(encodeReq, createFeaturizer());
    const controller = new AbortController();
    controller.abort();
    await expect(runner.cluster(sweepReq, { signal: controller.signal })).rejects.toBeInstanceOf(ClusteringCancelledError);
    await expect(runner.encode(encodeReq, createFeaturizer(), { signal: controller.signal })).rejects.toMatchObject({ code: 'cancelled' });
  });

  it('leaves the service lines out of the sweep made after a change of the choices, and of the one on screen', async () => {
    const runner = await opened();
    await runner.encode(encodeReq, createFeaturizer());
    await runner.cluster(sweepReq);
    const before = runner.sweep().profiles(3);
    runner.setServiceSettings({ mode: 'off', service: ['rake'], product: [] });
    expect(runner.serviceWire()).toMatchObject({ count: 1, items: 12 });
    const after = runner.sweep().profiles(3);
    const items = (p: typeof before) => p.clusters.flatMap((c) => c.topItems.map((t) => t.id));
    expect(items(before)).toContain('rake');
    expect(items(after)).not.toContain('rake');
  });
});

describe('everyone has a segment', () => {
  it('lists customers under the minimum history as their own group in the profiles and every export, and bots in none', async () => {
    const start = Date.UTC(2024, 2, 1);
    const extra = [
      `once_a,red_shirt,red shirt,purchase,${new Date(start).toISOString()},5`,
      `once_b,rake,rake,purchase,${new Date(start + 60_000).toISOString()},6`,
    ];
    // A scraper: 80 views, 0.2 s apart (inhuman rate), and a wholesale buyer: 80 purchases (a customer).
    const gadgets = ['usb cable', 'phone charger', 'laptop stand', 'hdmi adapter'];
    for (let i = 0; i < 80; i++) {
      const g = gadgets[i % 4];
      extra.push(`scraper,${g.replace(/ /g, '_')},${g},view,${new Date(start + i * 200).toISOString()},7`);
    }
    const titles = ['garden hose', 'lawn mower', 'rake', 'seed pack'];
    for (let i = 0; i < 80; i++) {
      const t = titles[i % 4];
      extra.push(`wholesale,${t.replace(/ /g, '_')},${t},purchase,${new Date(start + i * 3_600_000).toISOString()},6`);
    }
    const runner = new PipelineRunner();
    const analysis = await runner.read(blobSource(new Blob([`${segmentedLog()}\n${extra.join('\n')}`])), { fileName: 'shop.csv' });
    await runner.use(analysis, 'file-1');
    expect(analysis.report.sequences.filtered).toMatchObject({ tooShort: 2, abnormalVolume: 1 });
    expect(analysis.report.sequences.dropped?.map((d) => d.id)).toEqual(['scraper']);
    await runner.encode(encodeReq, createFeaturizer());
    expect(runner.encoded?.n).toBe(61); // the wholesale buyer is clustered
    await runner.cluster(sweepReq);
    const swept = runner.sweep();
    const few = swept.profiles(3).tooLittleHistory;
    expect(few).toMatchObject({ label: 'Too little history yet', size: 2, minLength: 2, revenue: 11 });
    expect(few?.share).toBeCloseTo(2 / 63, 10);

    const files = await swept.exportAll(3, { top: 5, secret: null, epsilon: null });
    const lines = exportText(files.assignments).trim().split('\r\n');
    expect(files.assignments.rows).toBe(63);
    expect(lines.slice(-2)).toEqual(['once_a,-1,,,Too little history yet', 'once_b,-1,,,Too little history yet']);
    expect(exportText(files.assignments)).not.toContain('scraper');
    const recs = exportText(files.recommendations)
      .split('\r\n')
      .filter((l) => l.startsWith('once_a,'));
    expect(recs.some((l) => l.startsWith('once_a,-1,Too little history yet,again,1,red_shirt,'))).toBe(true);
    expect(recs.some((l) => l.includes(',new,1,'))).toBe(true);
    expect(exportText(files.recommendations)).not.toContain('scraper');

    // The page's exports of everything say the same; a selection of map points holds only them.
    const page = await swept.exportData({ what: 'assignments', k: 3, format: 'csv', selection: null }, async () => new Uint8Array(32));
    expect(exportText(page)).toBe(exportText(files.assignments));
    const pageRecs = await swept.exportData({ what: 'recommendations', k: 3, format: 'json', selection: null }, async () => new Uint8Array(32));
    expect(exportText(pageRecs)).toContain('"user_id":"once_b","cluster":-1,"label":"Too little history yet","list":"again"');
    const selected = await swept.exportData({ what: 'assignments', k: 3, format: 'csv', selection: Int32Array.of(0, 1) }, async () => new Uint8Array(32));
    expect(selected.rows).toBe(2);
  });
});

describe('errors, mapped once', () => {
  it('a map whose trustworthiness cannot be computed fails as the map, not as the clustering', () => {
    let error: unknown;
    try {
      layoutTrustworthiness(new Float32Array(20), 10, 2, new Float32Array(20));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ProjectionInputError);
    expect(toWire(error).code).toBe('project-input');
    expect(cliFailure(error, 'log.csv')).toMatch(/^log\.csv: the clustered vectors cannot be mapped: /);
  });

  it('passes plain wire errors through and reports anything else as unexpected', () => {
    expect(toWire({ message: 'x', code: 'cluster-input' })).toEqual({ message: 'x', code: 'cluster-input' });
    expect(toWire(new TypeError('bad'), 'clustering')).toEqual({ message: 'Unexpected error while clustering: bad', code: 'internal' });
    expect(cliFailure(new TypeError('bad'), 'log.csv')).toBeNull();
  });
});
