// The cluster view through the real UI: the K sweep in the analysis worker after encoding, its
// charts, the suggested K, choosing K with the slider (keyboard) and by clicking a chart, the
// assignment path (WebGPU or CPU), cancelling, and data that cannot be clustered. The fixture fails
// any test that makes a request to anything but the app's own origin.
import type { Locator, Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { ANALYSIS_TIMEOUT, DEMO, summary, summaryData, upload, type Upload } from './helpers';

const SWEEP_TIMEOUT = 90_000;

const clusters = (page: Page): Locator => page.getByTestId('clusters');

async function clusterData(page: Page): Promise<Record<string, string>> {
  return clusters(page).evaluate((el) => ({ ...(el as HTMLElement).dataset }) as Record<string, string>);
}

/** These specs are about clustering the encoder's vectors, so the graph network is off (e2e/gcn.spec.ts covers it). */
async function openWith(page: Page, query: string): Promise<void> {
  await page.goto(`/${query}${query ? '&' : '?'}gcn=off`);
  await expect(summary(page)).toHaveAttribute('data-file', DEMO, { timeout: ANALYSIS_TIMEOUT });
}

/** Waits for a finished, current sweep (of `n` sequences, when given). */
async function swept(page: Page, n?: number): Promise<Record<string, string>> {
  if (n !== undefined) await expect(clusters(page)).toHaveAttribute('data-n', String(n), { timeout: SWEEP_TIMEOUT });
  await expect(clusters(page)).toHaveAttribute('data-state', 'done', { timeout: SWEEP_TIMEOUT });
  await expect(clusters(page)).toHaveAttribute('data-stale', 'false');
  return clusterData(page);
}

const csv = (name: string, lines: string[]): Upload => ({ name, mimeType: 'text/csv', buffer: Buffer.from(`${lines.join('\n')}\n`) });

const sum = (json: string): number => (JSON.parse(json) as number[]).reduce((a, b) => a + b, 0);

test('after encoding, the sweep runs: charts, suggested K, path; the K slider and a chart click recolour at once', async ({ page }) => {
  await openWith(page, '?model=seqlens-tiny-bert');
  await expect(page.getByTestId('encoder')).toHaveAttribute('data-state', 'done', { timeout: SWEEP_TIMEOUT });
  const data = await swept(page);
  const sequences = Number((await summaryData(page)).sequences);
  expect(Number(data.n)).toBe(sequences);
  expect(data.d).toBe('32');
  expect(data.range).toBe('2..15');
  const suggested = Number(data.suggested);
  expect(suggested).toBeGreaterThanOrEqual(2);
  expect(suggested).toBeLessThanOrEqual(15);
  expect(Number(data.k)).toBe(suggested);
  expect(sum(data.sizes)).toBe(sequences);
  expect(JSON.parse(data.sizes)).toHaveLength(suggested);

  // What was clustered, and how.
  await expect(page.getByTestId('cluster-source')).toContainText(`Clustered: encoder vectors (model seqlens-tiny-bert, ${sequences} × 32)`);
  expect(['webgpu', 'cpu']).toContain(data.path);
  await expect(page.getByTestId('cluster-path')).toContainText(`assignment: ${data.path}`);
  await expect(page.getByTestId('cluster-method')).toContainText('mini-batch is picked automatically above 200,000 sequences');
  await expect(page.getByTestId('cluster-silhouette-note')).toContainText(`here exact on all ${sequences}`);
  await expect(page.getByTestId('cluster-suggested')).toContainText(`Suggested K = ${suggested}.`);
  await expect(page.getByTestId('cluster-suggested')).toContainText('highest mean silhouette');
  if (data.elbow) await expect(page.getByTestId('cluster-elbow')).toContainText(`Elbow: K = ${data.elbow}`);
  // The charts' marks are named once, above them (no label drawn inside a chart, over its axis).
  const key = page.getByTestId('cluster-marks-key');
  await expect(key.locator('li[data-mark="suggested"]')).toHaveText(`suggested, K = ${suggested}`);
  await expect(key.locator('li[data-mark="elbow"]')).toHaveCount(data.elbow ? 1 : 0);
  await expect(key.locator('li[data-mark="chosen"]')).toHaveCount(0);

  // The five score charts and the sizes chart are drawn (canvases with their descriptions).
  for (const [key, name] of [
    ['inertia', /Inertia against K from 2 to 15/],
    ['silhouette', /Silhouette against K from 2 to 15\. Highest: /],
    ['calinskiHarabasz', /Calinski-Harabasz against K/],
    ['daviesBouldin', /Davies-Bouldin against K.*Lowest/],
    ['stability', /Stability \(ARI between seeds\) against K/],
  ] as const) {
    const chart = page.getByTestId(`cluster-chart-${key}`);
    await expect(chart).toBeVisible();
    await expect(chart).toHaveAttribute('aria-label', name);
    await expect(chart.locator('canvas')).toHaveCount(1);
  }
  await expect(page.getByRole('img', { name: new RegExp(`Bar chart of cluster sizes for K = ${suggested}`) })).toBeVisible();
  await expect(page.getByTestId('cluster-metrics-table')).toHaveAttribute('data-k', String(suggested));
  await expect(page.getByTestId('cluster-metrics-table').locator('tr[data-metric="path"] td.num')).toHaveText(data.path);
  for (const metric of ['inertia', 'silhouette', 'calinski-harabasz', 'davies-bouldin', 'stability']) {
    await expect(page.getByTestId('cluster-metrics-table').locator(`tr[data-metric="${metric}"] td.num`)).toHaveText(/^-?[\d,.]+$/);
  }
  await expect(clusters(page)).not.toContainText('NaN');

  // Watch for any sweep starting again while K changes: there must be none.
  await page.evaluate(() => {
    const w = window as unknown as { __sweepAgain: boolean; __kChangedAt: number[] };
    w.__sweepAgain = false;
    w.__kChangedAt = [];
    const root = document.querySelector('[data-testid="clusters"]')!;
    new MutationObserver(() => {
      if (root.querySelector('[data-testid="cluster-progress"]') || root.getAttribute('data-state') !== 'done') w.__sweepAgain = true;
    }).observe(root, { subtree: true, childList: true, attributes: true });
    new MutationObserver(() => w.__kChangedAt.push(performance.now())).observe(root, { attributes: true, attributeFilter: ['data-k'] });
  });

  // Keyboard: the slider takes focus, Home/End/arrows move K, and everything follows at once.
  const slider = page.getByRole('slider', { name: /K, the number of clusters/ });
  await slider.focus();
  // The first key moves K away from the suggestion (whichever end that is not).
  const [firstKey, firstK] = suggested === 15 ? ['Home', '2'] : ['End', '15'];
  const pressAt = await page.evaluate(() => performance.now());
  await page.keyboard.press(firstKey);
  await expect(clusters(page)).toHaveAttribute('data-k', firstK);
  const changedAt = await page.evaluate(() => (window as unknown as { __kChangedAt: number[] }).__kChangedAt[0]);
  expect(changedAt - pressAt, 'K changed without a round trip to the worker').toBeLessThan(1000);
  await page.keyboard.press('Home');
  await expect(clusters(page)).toHaveAttribute('data-k', '2');
  await expect(page.getByTestId('k-value')).toHaveText('2');
  await expect(slider).toHaveAttribute('aria-valuetext', /^K = 2: silhouette -?\d/);
  const sizes2 = (await clusterData(page)).sizes;
  expect(JSON.parse(sizes2)).toHaveLength(2);
  expect(sum(sizes2)).toBe(sequences);
  await expect(page.getByTestId('cluster-metrics-table')).toHaveAttribute('data-k', '2');
  await expect(page.getByTestId('cluster-marks-key').locator('li[data-mark="chosen"]')).toHaveCount(suggested === 2 ? 0 : 1);
  if (suggested !== 2) await expect(page.getByTestId('cluster-marks-key').locator('li[data-mark="chosen"]')).toHaveText('on screen, K = 2');
  await expect(page.getByRole('img', { name: /Bar chart of cluster sizes for K = 2: cluster 0: \d+, cluster 1: \d+\./ })).toBeVisible();
  const table = page.getByTestId('cluster-sizes-table');
  await page.getByText('Cluster sizes at K = 2 as a table').click();
  await expect(table.locator('tbody tr')).toHaveCount(2);

  await slider.focus();
  await page.keyboard.press('End');
  await expect(clusters(page)).toHaveAttribute('data-k', '15');
  await expect(table.locator('tbody tr')).toHaveCount(15);
  await page.keyboard.press('ArrowLeft');
  await expect(clusters(page)).toHaveAttribute('data-k', '14');
  const sizes14 = JSON.parse((await clusterData(page)).sizes) as number[];
  expect(sizes14).toHaveLength(14);
  expect(sizes14.reduce((a, b) => a + b, 0)).toBe(sequences);
  await expect(table.locator('tbody tr[data-tiny="true"]')).toHaveCount(sizes14.filter((s) => s < 5 || s < 0.01 * sequences).length);
  await expect(page.getByTestId('cluster-metrics-table')).toHaveAttribute('data-k', '14');

  // A click in the middle of a chart picks the K there.
  const chart = page.getByTestId('cluster-chart-silhouette');
  const box = (await chart.boundingBox())!;
  await chart.click({ position: { x: box.width * 0.55, y: box.height * 0.5 } });
  await expect(clusters(page)).not.toHaveAttribute('data-k', '14');
  const picked = Number((await clusterData(page)).k);
  expect(picked).toBeGreaterThan(2);
  expect(picked).toBeLessThan(14);
  await expect(slider).toHaveValue(String(picked));

  // Back to the suggestion with one click.
  await page.getByRole('button', { name: `Use suggested K (${suggested})` }).click();
  await expect(clusters(page)).toHaveAttribute('data-k', String(suggested));
  expect(await page.evaluate(() => (window as unknown as { __sweepAgain: boolean }).__sweepAgain)).toBe(false);
});

test('WebGPU forced: the assignment runs on WebGPU (a software adapter here) and finds the CPU clusters', async ({ page }) => {
  await page.goto('/');
  const adapter = await page.evaluate(async () => {
    const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
    return !!gpu && !!(await gpu.requestAdapter().catch(() => null));
  });
  test.skip(!adapter, 'this browser has no WebGPU adapter at all');
  await openWith(page, '?model=featurizer&cluster-device=gpu&sweep=2..6');
  const gpu = await swept(page);
  expect(gpu.path).toBe('webgpu');
  await expect(page.getByTestId('cluster-path')).toContainText('assignment: webgpu');
  await expect(page.getByTestId('cluster-path')).toContainText('WebGPU on');
  await expect(page.getByTestId('cluster-device')).toHaveValue('gpu');
  await expect(page.getByTestId('cluster-fallback')).toHaveCount(0);

  // The same sweep on the CPU: the same clusterings (the GPU's labels are re-checked in float64).
  await page.getByTestId('cluster-device').selectOption('cpu');
  await expect(clusters(page)).toHaveAttribute('data-path', 'cpu', { timeout: SWEEP_TIMEOUT });
  const cpu = await swept(page);
  await expect(page.getByTestId('cluster-path')).toContainText('as chosen in the settings');
  expect(cpu.suggested).toBe(gpu.suggested);
  expect(cpu.sizes).toBe(gpu.sizes);

  // Automatic: WebGPU on a hardware adapter; on a software one the CPU, and the reason is shown.
  await page.getByTestId('cluster-device').selectOption('auto');
  await expect(page.getByTestId('cluster-path')).not.toContainText('as chosen in the settings', { timeout: SWEEP_TIMEOUT });
  const auto = await swept(page);
  const software = await page.evaluate(async () => {
    const gpu = (navigator as unknown as { gpu: { requestAdapter(): Promise<{ info?: { isFallbackAdapter?: boolean } } | null> } }).gpu;
    return !!(await gpu.requestAdapter())?.info?.isFallbackAdapter;
  });
  if (software) {
    expect(auto.path).toBe('cpu');
    await expect(page.getByTestId('cluster-path')).toContainText('only a software adapter');
  } else {
    expect(auto.path).toBe('webgpu');
  }
});

test('helper threads (nested workers) run the sweep side by side and give the same clusters as one thread', async ({ page }) => {
  // Every K's scores, as the sweep table shows them (inertia, silhouette, CH, DB, stability).
  const metrics = async (): Promise<string[]> => page.getByTestId('cluster-sweep-table').locator('tbody tr').allTextContents();
  await openWith(page, '?model=featurizer&cluster-device=cpu&sweep=2..8&sweep-threads=off');
  const alone = await swept(page);
  await expect(page.getByTestId('cluster-path')).toHaveAttribute('data-threads', '0');
  const aloneMetrics = await metrics();
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  test.skip(cores < 2, 'one core: the sweep never starts helpers');

  await openWith(page, '?model=featurizer&cluster-device=cpu&sweep=2..8&sweep-threads=on');
  const threaded = await swept(page);
  const path = page.getByTestId('cluster-path');
  await expect(path).toHaveAttribute('data-threads', String(Math.min(4, cores)));
  await expect(path).toContainText(`the K values ran side by side on ${Math.min(4, cores)} helper threads`);
  expect(threaded.suggested).toBe(alone.suggested);
  expect(threaded.sizes).toBe(alone.sizes);
  expect(aloneMetrics).toHaveLength(7);
  expect(await metrics()).toEqual(aloneMetrics);
});

test('a sweep can be cancelled and run again; a new file cancels a running sweep', async ({ page }) => {
  // 1,500 shoppers of 40 products: a sweep up to K = 40 takes a while (sampled silhouette, many K).
  const lines = ['user_id,item_id,timestamp,title'];
  const words = ['red', 'blue', 'green', 'oak', 'steel', 'linen', 'wool', 'glass'];
  const things = ['mug', 'lamp', 'chair', 'rug', 'vase'];
  for (let u = 0; u < 1500; u++) {
    for (let e = 0; e < 3; e++) {
      const item = (u * 7 + e * 13 + (u % 5) * e) % 40;
      lines.push(`u${u},p${item},2021-03-0${1 + e}T10:${String(u % 60).padStart(2, '0')}:00Z,${words[item % 8]} ${things[item % 5]} ${item}`);
    }
  }
  await openWith(page, '?model=featurizer&cluster-device=cpu&sweep=2..40');
  await swept(page);
  await upload(page, csv('shoppers.csv', lines));
  await expect(summary(page)).toHaveAttribute('data-file', 'shoppers.csv', { timeout: ANALYSIS_TIMEOUT });
  const progress = page.getByTestId('cluster-progress');
  await expect(progress).toBeVisible({ timeout: SWEEP_TIMEOUT });
  await expect(progress).toContainText(/Sweeping K = 2–40/, { timeout: SWEEP_TIMEOUT });
  await expect(progress.getByRole('progressbar')).toHaveAttribute('aria-valuetext', /%/);
  await page.getByTestId('cluster-cancel').click();
  await expect(page.getByTestId('cluster-cancelled')).toBeVisible();
  await expect(clusters(page)).toHaveAttribute('data-state', 'cancelled');
  await expect(progress).toHaveCount(0);

  // Again, and this time a new file comes while it runs: that sweep's result must never show.
  await page.getByRole('button', { name: 'Sweep again' }).click();
  await expect(progress).toBeVisible({ timeout: SWEEP_TIMEOUT });
  await page.evaluate(() => {
    const w = window as unknown as { __seenN: string[] };
    w.__seenN = [];
    const root = document.querySelector('[data-testid="clusters"]')!;
    new MutationObserver(() => w.__seenN.push(root.getAttribute('data-n') ?? '')).observe(root, { attributes: true, attributeFilter: ['data-n'] });
  });
  await upload(
    page,
    csv(
      'mugs.csv',
      Array.from({ length: 61 }, (_, i) =>
        i === 0 ? 'user_id,item_id,timestamp,title' : `m${i % 9},i${i % 11},2021-01-01T00:${String(i % 60).padStart(2, '0')}:00Z,Blue mug ${i % 11}`,
      ),
    ),
  );
  await expect(summary(page)).toHaveAttribute('data-file', 'mugs.csv', { timeout: ANALYSIS_TIMEOUT });
  const mugs = await swept(page, 9);
  expect(mugs.range).toBe('2..8');
  await expect(page.getByTestId('cluster-range-note')).toContainText('With 9 sequences the sweep stops at K = 8 instead of 40');
  const seen = await page.evaluate(() => (window as unknown as { __seenN: string[] }).__seenN);
  expect(seen).not.toContain('1500');
});

test('data that cannot be clustered gets a clear message, never a hang or NaN', async ({ page }) => {
  await openWith(page, '?model=featurizer&cluster-device=cpu');
  await swept(page);

  // A single shopper: one sequence.
  await upload(
    page,
    csv('one-shopper.csv', ['user_id,item_id,timestamp,title', ...Array.from({ length: 5 }, (_, i) => `solo,i${i},2021-01-01T00:0${i}:00Z,Lamp ${i}`)]),
  );
  await expect(summary(page)).toHaveAttribute('data-file', 'one-shopper.csv', { timeout: ANALYSIS_TIMEOUT });
  const error = page.getByTestId('cluster-error');
  await expect(error).toBeVisible({ timeout: SWEEP_TIMEOUT });
  await expect(error).toHaveAttribute('data-code', 'cluster-input');
  await expect(error).toContainText('The sequences cannot be clustered');
  await expect(error).toContainText('There is only one point: clustering needs at least two');
  await expect(clusters(page)).toHaveAttribute('data-state', 'error');
  await expect(page.getByTestId('cluster-result')).toHaveCount(0);

  // Six shoppers who bought exactly the same: identical vectors.
  const same = ['user_id,item_id,timestamp,title'];
  for (let u = 0; u < 6; u++) same.push(`s${u},a,2021-01-01T00:00:00Z,Teapot`, `s${u},b,2021-01-01T00:05:00Z,Kettle`);
  await upload(page, csv('same.csv', same));
  await expect(summary(page)).toHaveAttribute('data-file', 'same.csv', { timeout: ANALYSIS_TIMEOUT });
  await expect(error).toContainText('All 6 points are identical, so they cannot be split into K = 2 clusters', { timeout: SWEEP_TIMEOUT });
  await expect(clusters(page)).not.toContainText('NaN');

  // A range the wrong way round is caught in the form.
  await page.getByLabel('Smallest K').fill('9');
  await page.getByLabel('Largest K').fill('4');
  await expect(page.getByTestId('cluster-settings-error')).toContainText('The smallest K (9) is above the largest (4)');
  await page.getByLabel('Smallest K').fill('2');
  await expect(page.getByTestId('cluster-settings-error')).toHaveCount(0);
});
