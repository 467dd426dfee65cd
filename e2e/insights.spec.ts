// Cluster profiles, the comparison of two clusters and the exports, through the real UI: the demo
// is encoded (featurizer, graph network off), swept, laid out, profiled; downloads are read back
// and checked against what the page shows. A generated log with hostile text checks that strings
// from the file stay text on the page and that a formula-like id is neutralised in the CSV export.
// The fixture fails any test that makes a request to anything but the app's own origin.
import { readFileSync, writeFileSync } from 'node:fs';
import type { Locator, Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { ANALYSIS_TIMEOUT, DEMO, parseCsv, summary, summaryData, upload } from './helpers';

/** Encode, sweep, map and profiles on a 2-core machine. */
const PIPELINE_TIMEOUT = 150_000;

const clusters = (page: Page): Locator => page.getByTestId('clusters');
const insights = (page: Page): Locator => page.getByTestId('insights');
const cards = (page: Page): Locator => page.getByTestId('profile-card');

async function openDemo(page: Page): Promise<void> {
  await page.goto('/?model=featurizer&gcn=off&cluster-device=cpu');
  await expect(summary(page)).toHaveAttribute('data-file', DEMO, { timeout: ANALYSIS_TIMEOUT });
}

/** Waits for current profiles of the K on screen; returns that K. */
async function profiled(page: Page): Promise<number> {
  await expect(clusters(page)).toHaveAttribute('data-state', 'done', { timeout: PIPELINE_TIMEOUT });
  await expect(clusters(page)).toHaveAttribute('data-stale', 'false');
  const k = (await clusters(page).getAttribute('data-k'))!;
  await expect(insights(page)).toHaveAttribute('data-k', k, { timeout: PIPELINE_TIMEOUT });
  await expect(insights(page)).toHaveAttribute('data-stale', 'false', { timeout: PIPELINE_TIMEOUT });
  return Number(k);
}

/** Saves what the Download button gives and returns its name and text. */
async function download(page: Page, what: string, format: 'csv' | 'json'): Promise<{ name: string; text: string }> {
  const exportPanel = page.getByTestId('export');
  await expect(exportPanel).toHaveAttribute('data-ready', 'true', { timeout: PIPELINE_TIMEOUT });
  await page.getByTestId('export-what').selectOption(what);
  await page.getByTestId(`export-format-${format}`).check();
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-download').click()]);
  const path = await file.path();
  return { name: file.suggestedFilename(), text: readFileSync(path, 'utf8') };
}

test('the demo gets a profile card per cluster; two clusters compare; assignments CSV and profiles JSON download', async ({ page }) => {
  test.setTimeout(300_000);
  await openDemo(page);
  const k = await profiled(page);
  const sequences = Number((await summaryData(page)).sequences);

  // One card per cluster, in order, whose sizes add up to every sequence.
  await expect(cards(page)).toHaveCount(k);
  const sizes = await cards(page).evaluateAll((els) => els.map((el) => Number((el as HTMLElement).dataset.size)));
  expect(sizes.reduce((a, b) => a + b, 0)).toBe(sequences);
  const clusterSizes = JSON.parse((await clusters(page).getAttribute('data-sizes'))!) as number[];
  expect(sizes).toEqual(clusterSizes);
  for (let i = 0; i < k; i++) {
    const card = cards(page).nth(i);
    await expect(card).toHaveAttribute('data-cluster', String(i));
    await expect(card.getByRole('heading', { level: 3 })).toContainText(`Segment ${i}`);
    await expect(card.getByTestId('profile-size')).toContainText(`${sizes[i].toLocaleString('en-US')} customers`);
  }
  // UCI invoice lines are purchases only, with prices: no views, but revenue and order values.
  await expect(insights(page).getByTestId('profile-no-views')).toHaveCount(k);
  await expect(insights(page).getByTestId('profile-no-views').first()).toContainText('No views in this log');
  // Only the step the log has is drawn: the purchase.
  await expect(insights(page).getByTestId('profile-funnel').first().locator('.funnel-name')).toHaveText(['Bought']);
  await expect(insights(page).getByTestId('profile-revenue')).toHaveCount(k);
  await expect(insights(page).getByTestId('profile-aov').first()).toHaveText(/\d/);
  await expect(cards(page).getByTestId('profile-items')).toHaveCount(k);
  await expect(insights(page).getByTestId('profile-recommendations').first().locator('li')).toHaveCount(10);
  await expect(insights(page)).not.toContainText('NaN');

  // Compare: B = cluster 0, A = the last cluster.
  const table = page.getByTestId('compare-table');
  await page.getByTestId('compare-a').selectOption(String(k - 1));
  await page.getByTestId('compare-b').selectOption('0');
  await expect(table).toHaveAttribute('data-a', String(k - 1));
  await expect(table).toHaveAttribute('data-b', '0');
  const sizeRow = table.locator('tr[data-measure="size"]');
  await expect(sizeRow.locator('td[data-col="a"]')).toHaveText(sizes[k - 1].toLocaleString('en-US'));
  await expect(sizeRow.locator('td[data-col="b"]')).toHaveText(sizes[0].toLocaleString('en-US'));
  await expect(sizeRow.locator('td[data-col="diff"]')).toHaveText(`×${(sizes[0] / sizes[k - 1]).toFixed(1)}`);
  await expect(table.locator('tr[data-measure="share"] td[data-col="diff"]')).toHaveText(/^([+−]\d+|0) pp$/);
  await expect(table.locator('tr[data-measure="revenue"] td[data-col="a"]')).toHaveText(/\d/);
  // Purchases only: no funnel rates to compare.
  await expect(table.locator('tr[data-measure="view-cart"]')).toHaveCount(0);
  await expect(table.getByRole('columnheader')).toHaveCount(4);

  // Assignments as CSV: one row per sequence, clusters in range, a position on the map for each;
  // then the customers with too little history yet (cluster -1, no position), as many as their card says.
  const assignments = await download(page, 'assignments', 'csv');
  expect(assignments.name).toMatch(/assignments\.csv$/);
  const rows = parseCsv(assignments.text);
  expect(rows[0]).toEqual(['user_id', 'cluster', 'x', 'y', 'label']);
  const few = Number(await insights(page).getByTestId('profile-too-little').getAttribute('data-size'));
  expect(few).toBeGreaterThan(0);
  expect(rows.slice(1 + sequences)).toHaveLength(few);
  for (const r of rows.slice(1 + sequences)) expect(r.slice(1)).toEqual(['-1', '', '', 'Too little history yet']);
  const body = rows.slice(1, 1 + sequences);
  const perCluster = new Array<number>(k).fill(0);
  for (const r of body) {
    const c = Number(r[1]);
    expect(Number.isInteger(c) && c >= 0 && c < k, `cluster ${r[1]}`).toBe(true);
    perCluster[c]++;
    expect(Number.isFinite(Number(r[2])) && r[2] !== '').toBe(true);
    expect(Number.isFinite(Number(r[3])) && r[3] !== '').toBe(true);
  }
  expect(perCluster).toEqual(sizes);
  expect(new Set(body.map((r) => r[0])).size).toBe(sequences);
  await expect(page.getByTestId('export-status')).toHaveText(`Saved ${assignments.name} (${(sequences + few).toLocaleString('en-US')} rows)`);

  // Profiles as JSON: parses, for the K on screen, with the sizes of the cards.
  const profiles = await download(page, 'profiles', 'json');
  expect(profiles.name).toMatch(/profiles\.json$/);
  const doc = JSON.parse(profiles.text) as { k: number; users: number; clusters: { cluster: number; size: number }[] };
  expect(doc.k).toBe(k);
  expect(doc.users).toBe(sequences);
  expect(doc.clusters.map((c) => c.size)).toEqual(sizes);
  await expect(page.getByTestId('export-status')).toHaveText(`Saved ${profiles.name} (${k} rows)`);

  // Nothing is selected on the map: the selection scope is off.
  await expect(page.getByTestId('export-scope-selection')).toBeDisabled();
  await expect(page.getByTestId('export-error')).toHaveCount(0);

  // K moved quickly through several values: the profiles end on the last K, and no older answer
  // lands after it.
  const slider = page.getByTestId('k-slider');
  await slider.focus();
  await page.keyboard.press('End');
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('Home');
  await expect(clusters(page)).toHaveAttribute('data-k', '2');
  await expect(insights(page)).toHaveAttribute('data-k', '2', { timeout: PIPELINE_TIMEOUT });
  await expect(insights(page)).toHaveAttribute('data-stale', 'false');
  await expect(cards(page)).toHaveCount(2);
  await page.waitForTimeout(1000);
  await expect(insights(page)).toHaveAttribute('data-k', '2');
  const sizes2 = await cards(page).evaluateAll((els) => els.map((el) => Number((el as HTMLElement).dataset.size)));
  expect(sizes2).toEqual(JSON.parse((await clusters(page).getAttribute('data-sizes'))!));
});

const HOSTILE_TITLE = '<img src=x onerror=alert(1)>';
const FORMULA_ID = '=1+2';

test('text from the file stays text in the profiles, and a formula-like id is neutralised in the CSV export', async ({ page }, testInfo) => {
  test.setTimeout(300_000);
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });

  // 60 shoppers: every one views the hostile item; half then cart and buy another, half browse on.
  const lines = ['user_id,item_id,event_type,timestamp,title,price'];
  const titles = [HOSTILE_TITLE, 'oak chair', 'linen rug', 'glass vase', 'steel lamp', 'wool throw', 'red mug', 'blue bowl'];
  for (let u = 0; u < 60; u++) {
    const user = u === 0 ? FORMULA_ID : `u${u}`;
    const at = (minute: number) => `2021-03-01T${String(8 + (u % 12)).padStart(2, '0')}:${String(minute).padStart(2, '0')}:00Z`;
    const event = (item: number, type: string, minute: number) => `${user},p${item},${type},${at(minute)},${titles[item]},${(item + 1) * 2.5}`;
    lines.push(event(0, 'view', 1));
    if (u % 2 === 0) {
      const item = 1 + (u % 3);
      lines.push(event(item, 'view', 2), event(item, 'cart', 3), event(item, 'purchase', 4));
    } else {
      lines.push(event(4 + (u % 4), 'view', 2), event(5 + (u % 3), 'view', 3));
    }
  }
  const path = testInfo.outputPath('hostile.csv');
  writeFileSync(path, `${lines.join('\n')}\n`);

  await openDemo(page);
  await upload(page, path);
  await expect(summary(page)).toHaveAttribute('data-file', 'hostile.csv', { timeout: ANALYSIS_TIMEOUT });
  await expect(clusters(page)).toHaveAttribute('data-n', '60', { timeout: PIPELINE_TIMEOUT });
  const k = await profiled(page);
  await expect(cards(page)).toHaveCount(k);

  // The title is on the cards as the text it is; no element was made of it and nothing ran.
  await expect(insights(page).getByText(HOSTILE_TITLE, { exact: true }).first()).toBeVisible();
  await expect(insights(page).locator('img')).toHaveCount(0);
  await expect(page.locator('img[src="x"]')).toHaveCount(0);
  // This log has views: the funnel has rates, and no "no views" note.
  await expect(insights(page).getByTestId('profile-no-views')).toHaveCount(0);
  const funnels = await insights(page)
    .getByTestId('profile-funnel')
    .evaluateAll((els) => els.map((el) => Number((el as HTMLElement).dataset.viewers)));
  expect(funnels.reduce((a, b) => a + b, 0)).toBe(60);
  await expect(insights(page).getByTestId('profile-conversions').first()).toContainText('of viewers bought');

  // The export: the id that a spreadsheet would run as a formula starts with a quote.
  const assignments = await download(page, 'assignments', 'csv');
  const rows = parseCsv(assignments.text).slice(1);
  expect(rows).toHaveLength(60);
  const ids = rows.map((r) => r[0]);
  expect(ids).toContain(`'${FORMULA_ID}`);
  expect(ids.filter((id) => id.startsWith('='))).toEqual([]);
  expect(dialogs).toEqual([]);
});
