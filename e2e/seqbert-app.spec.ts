// The behaviour BERT through the real app: ?encoder=seqbert picks "How they shop" in the encoder
// panel, the worker trains the model on the demo log (one epoch; 'auto' leaves SwiftShader's
// software WebGPU adapter alone, so here it runs on wasm) and the K sweep clusters its int8 embeddings. The backend is the one
// tfjs really ran, as the result reports it; the page must show that same one.
import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { ANALYSIS_TIMEOUT, data, DEMO, summary, TRAIN_TIMEOUT } from './helpers';

test('the app trains the behaviour model on the log and clusters customers by how they shop', async ({ page }) => {
  test.setTimeout(TRAIN_TIMEOUT + 60_000);
  await page.goto('/?encoder=seqbert&gcn=off&bert-epochs=1&model=featurizer&sweep=2..4');
  await expect(summary(page)).toHaveAttribute('data-file', DEMO, { timeout: ANALYSIS_TIMEOUT });
  const encoder = page.getByTestId('encoder');
  await expect(encoder).toHaveAttribute('data-encoder-kind', 'seqbert');
  await expect(page.getByTestId('encoder-kind').getByRole('radio', { name: /How they shop/ })).toBeChecked();

  await expect(encoder).toHaveAttribute('data-state', 'done', { timeout: TRAIN_TIMEOUT });
  const backend = (await data(page, 'encoder')).bertBackend;
  expect(['wasm', 'webgpu', 'cpu']).toContain(backend);
  const line = page.getByTestId('encoder-bert');
  await expect(line).toHaveAttribute('data-backend', backend);
  await expect(line).toContainText(`on ${backend}, int8`);
  await expect(line).toContainText(/Behaviour model: \d+ layers?, \d+ wide, reads each customer’s last \d+ events, trained 1 epoch /);

  const clusters = page.getByTestId('clusters');
  await expect(clusters).toHaveAttribute('data-state', 'done', { timeout: TRAIN_TIMEOUT });
  expect(Number((await data(page, 'clusters')).k)).toBeGreaterThanOrEqual(2);
  await expect(page.getByTestId('cluster-source')).toContainText('behaviour model vectors');
});

test('forced onto the wasm backend (a machine without WebGPU), the app trains the behaviour model there', async ({ page }) => {
  test.setTimeout(TRAIN_TIMEOUT + 60_000);
  await page.goto('/?encoder=seqbert&gcn=off&bert-epochs=1&model=featurizer&sweep=2..4&bert-backend=wasm');
  await expect(summary(page)).toHaveAttribute('data-file', DEMO, { timeout: ANALYSIS_TIMEOUT });
  const encoder = page.getByTestId('encoder');
  await expect(encoder).toHaveAttribute('data-state', 'done', { timeout: TRAIN_TIMEOUT });
  expect((await data(page, 'encoder')).bertBackend).toBe('wasm');
  await expect(page.getByTestId('encoder-bert')).toContainText('on wasm, int8');
  await expect(page.getByTestId('clusters')).toHaveAttribute('data-state', 'done', { timeout: TRAIN_TIMEOUT });
});

// ---- Stop, Cancel, the loss curve, the model kept with the analysis, and model files ----

const BERT_URL = '/?encoder=seqbert&gcn=off&model=featurizer&sweep=2..4&bert-backend=wasm';
const progress = (page: Page) => page.getByTestId('encode-progress');

test('Stop ends the behaviour model’s training and keeps the model trained so far; the loss curve follows it', async ({ page }) => {
  test.setTimeout(TRAIN_TIMEOUT + 60_000);
  await page.goto(`${BERT_URL}&bert-epochs=20`);
  await expect(summary(page)).toHaveAttribute('data-file', DEMO, { timeout: ANALYSIS_TIMEOUT });
  // Past the first epoch: the curve has a point of its own and of the held-out slice.
  await expect(progress(page)).toContainText(/epoch 2 of/, { timeout: TRAIN_TIMEOUT });
  await expect(page.getByTestId('encoder-loss-chart')).toBeVisible();
  await expect(page.getByTestId('encoder-loss-chart')).toHaveAttribute(
    'aria-label',
    /Behaviour model loss per epoch, \d+ epochs, last training loss [\d.]+, last held-out loss/,
  );
  await page.getByTestId('encode-stop').click();
  const encoder = page.getByTestId('encoder');
  await expect(encoder).toHaveAttribute('data-state', 'done', { timeout: TRAIN_TIMEOUT });
  const bert = await data(page, 'encoder-bert');
  expect(bert.stopReason).toBe('stop');
  expect(bert.source).toBe('trained');
  expect(Number(bert.epochs)).toBeGreaterThanOrEqual(2);
  expect(Number(bert.epochs)).toBeLessThan(Number(bert.plannedEpochs));
  await expect(page.getByTestId('encoder-bert-stopped')).toContainText(`stopped by you after ${bert.epochs} of ${bert.plannedEpochs} epochs`);
  // After training, the chart shows the report: one point per epoch trained.
  await expect(page.getByTestId('encoder-loss-chart')).toHaveAttribute('aria-label', new RegExp(`, ${bert.epochs} epochs,`));
  await expect(page.getByTestId('encode-error')).toHaveCount(0);
  // Its vectors are clustered.
  await expect(page.getByTestId('clusters')).toHaveAttribute('data-state', 'done', { timeout: TRAIN_TIMEOUT });
  await expect(page.getByTestId('cluster-source')).toContainText('behaviour model vectors');
});

test('Cancel during the behaviour model’s training leaves the previous vectors and shows no error', async ({ page }) => {
  test.setTimeout(2 * TRAIN_TIMEOUT);
  await page.goto(`${BERT_URL}&bert-epochs=2`);
  await expect(summary(page)).toHaveAttribute('data-file', DEMO, { timeout: ANALYSIS_TIMEOUT });
  const encoder = page.getByTestId('encoder');
  await expect(encoder).toHaveAttribute('data-state', 'done', { timeout: TRAIN_TIMEOUT });
  await expect(page.getByTestId('clusters')).toHaveAttribute('data-state', 'done', { timeout: TRAIN_TIMEOUT });
  const before = await data(page, 'encoder');
  expect(before.bertSource).toBe('trained');
  const beforeEpochs = (await data(page, 'encoder-bert')).epochs;

  // Another event weight (of a type the demo has: only those are offered): other vectors, so the model trains again.
  await page.getByLabel('Purchase weight').fill('2');
  await expect(progress(page)).toContainText('Training the behaviour model', { timeout: TRAIN_TIMEOUT });
  await page.getByTestId('encode-cancel').click();
  await expect(encoder).toHaveAttribute('data-state', 'cancelled');
  await expect(page.getByTestId('encode-cancelled')).toBeVisible();
  await expect(page.getByTestId('encode-error')).toHaveCount(0);
  const after = await data(page, 'encoder');
  expect(after.vectorProbe).toBe(before.vectorProbe);
  expect(after.bertSource).toBe('trained');
  await expect(page.getByTestId('encoder-bert')).toHaveAttribute('data-epochs', beforeEpochs);
});

test('the trained model is kept with the analysis, saved to a file, and that file embeds the log on a fresh page without training', async ({
  page,
  browser,
}) => {
  test.setTimeout(2 * TRAIN_TIMEOUT);
  await page.goto(`${BERT_URL}&bert-epochs=1`);
  await expect(summary(page)).toHaveAttribute('data-file', DEMO, { timeout: ANALYSIS_TIMEOUT });
  const encoder = page.getByTestId('encoder');
  await expect(encoder).toHaveAttribute('data-state', 'done', { timeout: TRAIN_TIMEOUT });
  await expect(page.getByTestId('clusters')).toHaveAttribute('data-state', 'done', { timeout: TRAIN_TIMEOUT });
  const trained = await data(page, 'encoder-bert');
  expect(trained.source).toBe('trained');
  const probe = (await data(page, 'encoder')).vectorProbe;
  const clusters = await data(page, 'clusters');

  // A reload on the same log: the model and its vectors come from this browser, nothing trains.
  await page.reload();
  await expect(summary(page)).toHaveAttribute('data-file', DEMO, { timeout: ANALYSIS_TIMEOUT });
  await expect(encoder).toHaveAttribute('data-state', 'done', { timeout: TRAIN_TIMEOUT });
  await expect(page.getByTestId('encoder-bert')).toHaveAttribute('data-source', 'restored');
  await expect(page.getByTestId('encoder-bert-restored')).toBeVisible();
  expect((await data(page, 'encoder')).vectorProbe).toBe(probe);

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('bert-save').click()]);
  expect(download.suggestedFilename()).toMatch(/\.seqbert$/);
  const file = await download.path();
  await expect(page.getByTestId('bert-saved')).toContainText(download.suggestedFilename());

  // A fresh browser profile (nothing kept), grouping by item titles first.
  const context = await browser.newContext({ baseURL: page.url().replace(/\/\?.*$/, '') });
  try {
    const fresh = await context.newPage();
    await fresh.goto('/?encoder=text&gcn=off&model=featurizer&sweep=2..4&bert-backend=wasm');
    await expect(summary(fresh)).toHaveAttribute('data-file', DEMO, { timeout: ANALYSIS_TIMEOUT });
    const freshEncoder = fresh.getByTestId('encoder');
    await expect(freshEncoder).toHaveAttribute('data-state', 'done', { timeout: TRAIN_TIMEOUT });
    // Whatever the page shows from now on: a training progress bar would set this.
    await fresh.evaluate(() => {
      const w = window as unknown as { sawTraining: boolean };
      w.sawTraining = false;
      new MutationObserver(() => {
        if (document.body.textContent?.includes('Training the behaviour model')) w.sawTraining = true;
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });

    // Not a model: the panel says what is wrong and what to do.
    await fresh
      .getByTestId('bert-file-input')
      .setInputFiles({ name: 'orders.seqbert', mimeType: 'application/octet-stream', buffer: Buffer.from('user,item,time\n') });
    const error = fresh.getByTestId('encode-error');
    await expect(error).toContainText('The saved behaviour model orders.seqbert could not be used', { timeout: TRAIN_TIMEOUT });
    await expect(error).toContainText('not a behaviour BERT model file (wrong signature)');
    await expect(error).toContainText('Choose a .seqbert file saved by SeqLens');

    // Under its own name (the download's path is a temporary one).
    await fresh
      .getByTestId('bert-file-input')
      .setInputFiles({ name: download.suggestedFilename(), mimeType: 'application/octet-stream', buffer: readFileSync(file) });
    await expect(freshEncoder).toHaveAttribute('data-bert-source', 'file', { timeout: TRAIN_TIMEOUT });
    await expect(freshEncoder).toHaveAttribute('data-state', 'done');
    await expect(error).toHaveCount(0);
    const loaded = await data(fresh, 'encoder-bert');
    expect(loaded.epochs).toBe(trained.epochs);
    expect(loaded.layers).toBe(trained.layers);
    expect(loaded.hidden).toBe(trained.hidden);
    await expect(fresh.getByTestId('encoder-bert-from-file')).toContainText(`loaded from ${download.suggestedFilename()}`);
    // The same model on the same log: the same vectors, so the same clusters.
    const a = JSON.parse(probe) as { values: number[] }[];
    const b = JSON.parse((await data(fresh, 'encoder')).vectorProbe) as { values: number[] }[];
    expect(b.length).toBe(a.length);
    a.forEach((p, i) => p.values.forEach((v, j) => expect(b[i].values[j]).toBeCloseTo(v, 5)));
    const freshClusters = fresh.getByTestId('clusters');
    await expect(fresh.getByTestId('cluster-source')).toContainText('behaviour model vectors', { timeout: TRAIN_TIMEOUT });
    await expect(freshClusters).toHaveAttribute('data-state', 'done', { timeout: TRAIN_TIMEOUT });
    const c = await data(fresh, 'clusters');
    expect(c.suggested).toBe(clusters.suggested);
    expect(c.k).toBe(clusters.k);
    expect(c.sizes).toBe(clusters.sizes);
    expect(await fresh.evaluate(() => (window as unknown as { sawTraining: boolean }).sawTraining)).toBe(false);
  } finally {
    await context.close();
  }
});
