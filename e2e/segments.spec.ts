// Issue 13's end-to-end check of the behaviour model: a generated behaviour log with four planted
// segments that buy alike and differ only in how they shop (the order-only pair, weekly
// replenishers, burst buyers; src/pipeline/synth) is uploaded to the app opened with no encoder
// named (the default path: the behaviour BERT trains on the log in the browser), K is set to 4 in
// the cluster panel, and the assignments.csv the app exports must recover the planted segments
// (adjusted Rand index, computed here). The same log grouped by item titles must not: its items
// say nothing about the segments, so a pass cannot come from the text side of the app.
import { writeFileSync } from 'node:fs';
import type { Page, TestInfo } from '@playwright/test';
import { adjustedRandIndex } from '../src/pipeline/cluster/agreement';
import { generateBehaviourLog, type BehaviourLog } from '../src/pipeline/synth/behaviour';
import { behaviourCsvChunks } from '../src/pipeline/synth/behaviourCsv';
import { userIndexOf } from '../src/pipeline/synth/ids';
import { expect, test } from './fixtures';
import { ANALYSIS_TIMEOUT, assignmentsAtK, data, DEMO, summary, TRAIN_TIMEOUT } from './helpers';

test.use({ defaultEncoder: null });

/**
 * The log: SEGMENTS planted kinds (the first four of BEHAVIOUR_KINDS), USERS shoppers, the
 * generator's usual catalogue. Measured in Node with the app's defaults (`npx tsx bench/seqbertAri.ts
 * --users N --segments 4 --seeds 1,2,3 --pooling mean`: the app embeds with mean pooling, whitened,
 * k-means K = 4), ARI per log seed: 400 users 1.000 / 0.667 / 0.967, 600 users 0.996 / 0.841 /
 * 0.622, 800 users 0.997 / 1.000 / 0.812 (order-only pair 1.000 on all three, 56-69 CPU s each).
 * 800 is the smallest size whose worst seed stays above 0.8; the app gives this log (seed 1) the
 * Node figure, 0.997 and pair 1.000 (training is seeded). The bars leave room for a worse seed or
 * model change (0.81 was the worst seen) and fail when the behaviour signal is lost: grouped by
 * item titles the same log scores ARI 0.004, pair 0.001.
 */
const SEGMENTS = 4;
const USERS = 800;
const SEED = 1;
/** ARI of the app's clusters against the planted segments, and within the order-only pair. */
const MIN_ARI = 0.7;
const MIN_PAIR_ARI = 0.8;
/** Item titles alone: the segments share the catalogue and the taste, so about 0. */
const MAX_TEXT_ARI = 0.2;

const FILE = 'behaviour-segments.csv';

function writeLog(testInfo: TestInfo): { log: BehaviourLog; path: string } {
  const log = generateBehaviourLog({ seed: SEED, users: USERS, segments: SEGMENTS, items: 1000, categories: 24 });
  const path = testInfo.outputPath(FILE);
  writeFileSync(path, [...behaviourCsvChunks(log)].join(''));
  return { log, path };
}

/** Opens the app, uploads the log and waits for its summary. */
async function openWithLog(page: Page, url: string, path: string): Promise<number> {
  await page.goto(url);
  await expect(summary(page)).toHaveAttribute('data-file', DEMO, { timeout: ANALYSIS_TIMEOUT });
  const t0 = Date.now();
  await page.getByTestId('file-input').setInputFiles(path);
  await expect(summary(page)).toHaveAttribute('data-file', FILE, { timeout: ANALYSIS_TIMEOUT });
  return t0;
}

/** ARI against the planted segments, overall and within the order-only pair's users. */
function scores(log: BehaviourLog, assigned: Map<string, number>): { ari: number; pair: number; n: number } {
  const truth: number[] = [];
  const pred: number[] = [];
  const pairTruth: number[] = [];
  const pairPred: number[] = [];
  const [a, b] = log.orderOnlyPairs[0];
  for (const [id, cluster] of assigned) {
    const u = userIndexOf(id, log.params.users);
    expect(u, `user ${id} is one of the log's`).toBeGreaterThanOrEqual(0);
    expect(Number.isInteger(cluster) && cluster >= 0 && cluster < SEGMENTS, `cluster ${cluster}`).toBe(true);
    const s = log.userSegment[u];
    truth.push(s);
    pred.push(cluster);
    if (s === a || s === b) {
      pairTruth.push(s);
      pairPred.push(cluster);
    }
  }
  return { ari: adjustedRandIndex(truth, pred), pair: adjustedRandIndex(pairTruth, pairPred), n: truth.length };
}

function usersWithEvents(log: BehaviourLog): number {
  let n = 0;
  for (let u = 0; u < log.params.users; u++) if (log.userEvents[u] > 0) n++;
  return n;
}

test('with no encoder named, the behaviour model trained on a generated log clusters its shoppers into the planted segments', async ({ page }, testInfo) => {
  test.setTimeout(2 * TRAIN_TIMEOUT);
  const { log, path } = writeLog(testInfo);
  expect(log.segments.map((s) => s.kind)).toEqual(['compare-then-buy', 'buy-then-browse', 'weekly-replenisher', 'burst-buyer']);
  expect(log.orderOnlyPairs).toEqual([[0, 1]]);

  const t0 = await openWithLog(page, '/?gcn=off&sweep=2..8&cluster-device=cpu', path);
  const encoder = page.getByTestId('encoder');
  await expect(encoder).toHaveAttribute('data-encoder-kind', 'seqbert');
  // It trains on this log: its progress, then the line naming the backend that ran.
  await expect(page.getByTestId('encode-progress')).toContainText('Training the behaviour model', { timeout: TRAIN_TIMEOUT });
  await expect(encoder).toHaveAttribute('data-state', 'done', { timeout: TRAIN_TIMEOUT });
  const trainedS = (Date.now() - t0) / 1000;
  const backend = (await data(page, 'encoder')).bertBackend;
  expect(['wasm', 'webgpu', 'cpu']).toContain(backend);
  const line = page.getByTestId('encoder-bert');
  await expect(line).toHaveAttribute('data-backend', backend);
  await expect(line).toContainText(`on ${backend}, int8`);
  const bert = await data(page, 'encoder-bert');
  expect(bert.source).toBe('trained');
  await expect(page.getByTestId('cluster-source')).toContainText('behaviour model vectors', { timeout: TRAIN_TIMEOUT });

  const assigned = await assignmentsAtK(page, SEGMENTS);
  expect(assigned.size).toBe(usersWithEvents(log));
  const s = scores(log, assigned);
  const line4 = `behaviour model (${backend}, ${bert.epochs} epochs): ARI ${s.ari.toFixed(3)}, order-only pair ${s.pair.toFixed(3)}, ${s.n} users; trained ${trainedS.toFixed(0)} s after the upload, exported ${((Date.now() - t0) / 1000).toFixed(0)} s`;
  testInfo.annotations.push({ type: 'segments', description: line4 });
  console.log(line4);
  expect(s.ari, 'ARI of the clusters against the planted segments').toBeGreaterThanOrEqual(MIN_ARI);
  expect(s.pair, 'ARI within the order-only pair (same events, other order)').toBeGreaterThanOrEqual(MIN_PAIR_ARI);
});

test('grouped by item titles instead, the same log does not recover the segments', async ({ page }, testInfo) => {
  test.setTimeout(TRAIN_TIMEOUT);
  const { log, path } = writeLog(testInfo);
  const t0 = await openWithLog(page, '/?encoder=text&model=featurizer&gcn=off&sweep=2..8&cluster-device=cpu', path);
  await expect(page.getByTestId('encoder')).toHaveAttribute('data-encoder-kind', 'text');
  await expect(page.getByTestId('encoder')).toHaveAttribute('data-state', 'done', { timeout: TRAIN_TIMEOUT });
  const assigned = await assignmentsAtK(page, SEGMENTS);
  const s = scores(log, assigned);
  const line4 = `item titles (featuriser): ARI ${s.ari.toFixed(3)}, order-only pair ${s.pair.toFixed(3)}, ${s.n} users, ${((Date.now() - t0) / 1000).toFixed(0)} s`;
  testInfo.annotations.push({ type: 'segments', description: line4 });
  console.log(line4);
  expect(s.ari).toBeLessThan(MAX_TEXT_ARI);
});
