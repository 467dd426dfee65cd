// Segments over time through the real UI: the demo's first months are analysed and their segments
// saved as a model file (.seqlens, its size shown); the last months are opened next and the model
// applied to them: the drift view shows returning, new and lapsed customers, a Sankey of those who
// moved and the then-by-now table, whose counts agree. A damaged model file gets a clear error.
import { readFileSync } from 'node:fs';
import type { Locator, Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { analyse, ANALYSIS_TIMEOUT, DEMO, summary, TRAIN_TIMEOUT, type Upload } from './helpers';

const TIMEOUT = 150_000;
// The built-in featuriser: the behaviour model would train for minutes here.
const APP_URL = '/?model=featurizer&cluster-device=cpu';
const SPLIT = '2011-04-01';

const map = (page: Page): Locator => page.getByTestId('map');
const clusters = (page: Page): Locator => page.getByTestId('clusters');
const drift = (page: Page): Locator => page.getByTestId('drift-view');

/**
 * The demo's rows before SPLIT (first) or from it on (second): two months' logs of one shop. Every
 * demo customer bought in its first month, so a seventh of them are left out of the first log: in
 * the second they are new customers.
 */
function slice(which: 'first' | 'second'): Upload {
  const lines = readFileSync(new URL(`../public/demo/${DEMO}`, import.meta.url), 'utf8')
    .trimEnd()
    .split('\n');
  const keep = lines.slice(1).filter((line) => {
    // Descriptions may hold commas inside quotes: the cells are found from the end (date, price, customer, country).
    const cells = line.split(',');
    const date = cells[cells.length - 4];
    const customer = Number.parseFloat(cells[cells.length - 2]);
    return which === 'first' ? date < SPLIT && customer % 7 !== 0 : date >= SPLIT;
  });
  const name = which === 'first' ? 'retail-dec-mar.csv' : 'retail-apr-may.csv';
  return { name, mimeType: 'text/csv', buffer: Buffer.from(`${[lines[0], ...keep].join('\n')}\n`) };
}

async function segmented(page: Page): Promise<void> {
  await expect(clusters(page)).toHaveAttribute('data-state', 'done', { timeout: TIMEOUT });
  await expect(page.getByTestId('segment-card').first()).toBeVisible({ timeout: TIMEOUT });
  await expect(page.getByTestId('save-model')).toBeEnabled({ timeout: TIMEOUT });
}

test('save the segments, open the next log, apply them: the drift view and its consistent counts', async ({ page }) => {
  test.setTimeout(420_000);
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));

  await page.goto(APP_URL);
  await expect(summary(page)).toHaveAttribute('data-file', DEMO, { timeout: ANALYSIS_TIMEOUT });
  await analyse(page, slice('first'));
  await segmented(page);
  const savedK = Number(await page.getByTestId('segment-cards').getAttribute('data-k'));

  // Save the model: a .seqlens download, its size said on the page.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('save-model').click()]);
  expect(download.suggestedFilename()).toBe('retail-dec-mar.seqlens');
  const path = await download.path();
  const bytes = readFileSync(path);
  expect(bytes.subarray(0, 4).toString('latin1')).toBe('SQLN');
  await expect(page.getByTestId('save-model-status')).toHaveAttribute('data-size', String(bytes.length));
  await expect(page.getByTestId('save-model-status')).toContainText('retail-dec-mar.seqlens');

  // The next log, then the saved model applied to it.
  const next = slice('second');
  const summaryNext = await analyse(page, next);
  await page.getByTestId('apply-model-input').setInputFiles({ name: 'retail-dec-mar.seqlens', mimeType: 'application/octet-stream', buffer: bytes });
  await expect(drift(page)).toBeVisible({ timeout: TIMEOUT });

  const kept = Number(await drift(page).getAttribute('data-kept'));
  const added = Number(await drift(page).getAttribute('data-new'));
  const lost = Number(await drift(page).getAttribute('data-lost'));
  const moved = Number(await drift(page).getAttribute('data-moved'));
  expect(kept).toBeGreaterThan(0);
  expect(added).toBeGreaterThan(0);
  expect(lost).toBeGreaterThan(0);
  // Every customer of the new log is returning or new.
  expect(kept + added).toBe(Number(summaryNext.users));

  // The then-by-now table: k + 1 rows (the too-little-history group last), totals = returning customers.
  const matrix = page.getByTestId('drift-matrix');
  await expect(matrix).toHaveAttribute('data-total', String(kept));
  const rows = matrix.locator('tbody tr');
  await expect(rows).toHaveCount(savedK + 1);
  let total = 0;
  let stayed = 0;
  for (let i = 0; i <= savedK; i++) {
    const cells = await rows
      .nth(i)
      .locator('td[data-value]')
      .evaluateAll((tds) => tds.map((td) => Number(td.getAttribute('data-value'))));
    expect(cells).toHaveLength(savedK + 1);
    const sum = cells.reduce((s, v) => s + v, 0);
    expect(sum).toBe(Number(await rows.nth(i).getAttribute('data-row-total')));
    total += sum;
    stayed += cells[i];
  }
  expect(total).toBe(kept);
  expect(stayed + moved).toBe(kept);
  // Segment sizes now add up to the new log's customers.
  const after = await page
    .getByTestId('drift-sizes')
    .locator('tbody tr')
    .evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute('data-after'))));
  expect(after.reduce((s, v) => s + v, 0)).toBe(Number(summaryNext.users));

  // Items that appeared are named by their titles (the demo has descriptions), with their ids.
  await expect(page.getByTestId('drift-new-items')).toContainText(/[A-Z]{3,}[^;]* \(\w+\)/);
  // Amounts in the traits then and now follow the currency the reader picks (the demo's prices carry none).
  await expect(page.getByTestId('drift-traits')).toContainText('spent per customer');
  await expect(page.getByTestId('drift-traits')).not.toContainText('£');
  await page.getByTestId('currency-choice').selectOption('GBP');
  await expect(page.getByTestId('drift-traits')).toContainText(/£[\d,.]+ spent per customer/);
  // The Sankey of customers who moved is drawn on a canvas.
  if (moved > 0) await expect(page.getByTestId('drift-sankey').locator('canvas')).toBeVisible();
  await expect(page.getByTestId('drift-moved')).toContainText('Customers who moved');

  // The map and segment cards show the saved segments (K of the model) on the new log.
  await expect(page.getByTestId('segment-cards')).toHaveAttribute('data-k', String(savedK), { timeout: TIMEOUT });
  await expect(map(page)).toHaveAttribute('data-k', String(savedK), { timeout: TIMEOUT });

  // The exports of the drift.
  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('drift-download-csv').click()]);
  expect(csv.suggestedFilename()).toBe('retail-apr-may-transitions.csv');
  const csvLines = readFileSync(await csv.path(), 'utf8')
    .trimEnd()
    .split('\r\n');
  expect(csvLines[0]).toBe('from_cluster,from_label,to_cluster,to_label,customers');
  expect(csvLines).toHaveLength(1 + (savedK + 1) ** 2);
  expect(csvLines.slice(1).reduce((s, l) => s + Number(l.slice(l.lastIndexOf(',') + 1)), 0)).toBe(kept);
  const [json] = await Promise.all([page.waitForEvent('download'), page.getByTestId('drift-download-json').click()]);
  const report = JSON.parse(readFileSync(await json.path(), 'utf8'));
  expect(report.users).toEqual({ kept, new: added, lost });

  // A damaged file: a clear error, and the drift view of the good one stays.
  const damaged = Buffer.from(bytes);
  damaged[damaged.length - 5] ^= 0xff;
  await page.getByTestId('apply-model-input').setInputFiles({ name: 'damaged.seqlens', mimeType: 'application/octet-stream', buffer: damaged });
  await expect(page.getByTestId('apply-model-error')).toBeVisible({ timeout: TIMEOUT });
  await expect(page.getByTestId('apply-model-error')).toContainText('damaged.seqlens could not be applied');
  await expect(page.getByTestId('apply-model-error')).toHaveAttribute('data-code', 'model-file');
  await expect(drift(page)).toHaveAttribute('data-kept', String(kept));
  // A file that is no model at all.
  await page
    .getByTestId('apply-model-input')
    .setInputFiles({ name: 'notes.seqlens', mimeType: 'application/octet-stream', buffer: Buffer.from('hello, world') });
  await expect(page.getByTestId('apply-model-error')).toContainText('notes.seqlens could not be applied');
  await expect(page.getByTestId('apply-model-error')).toContainText(/not a SeqLens model file/i);

  expect(errors).toEqual([]);
});

test('with the behaviour model: the saved BERT, applied to the log it was made from, keeps every customer in their segment', async ({ page }) => {
  test.setTimeout(TRAIN_TIMEOUT + 240_000);
  // One epoch: the point is the saved int8 model and whitening running in the worker, not its quality.
  await page.goto('/?encoder=seqbert&gcn=off&bert-epochs=1&model=featurizer&sweep=2..4&cluster-device=cpu');
  await expect(summary(page)).toHaveAttribute('data-file', DEMO, { timeout: ANALYSIS_TIMEOUT });
  await expect(page.getByTestId('encoder')).toHaveAttribute('data-encoder-kind', 'seqbert');
  await expect(page.getByTestId('encoder')).toHaveAttribute('data-state', 'done', { timeout: TRAIN_TIMEOUT });
  await segmented(page);
  const savedK = Number(await page.getByTestId('segment-cards').getAttribute('data-k'));
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('save-model').click()]);
  const bytes = readFileSync(await download.path());
  expect(bytes.subarray(0, 4).toString('latin1')).toBe('SQLN');

  await page.getByTestId('apply-model-input').setInputFiles({ name: 'demo.seqlens', mimeType: 'application/octet-stream', buffer: bytes });
  await expect(drift(page)).toBeVisible({ timeout: TIMEOUT });
  const kept = Number(await drift(page).getAttribute('data-kept'));
  expect(kept).toBeGreaterThan(0);
  expect(Number(await drift(page).getAttribute('data-new'))).toBe(0);
  expect(Number(await drift(page).getAttribute('data-lost'))).toBe(0);
  // The same history gives the same vector: every customer keeps their segment, and the view says so.
  expect(Number(await drift(page).getAttribute('data-moved'))).toBe(0);
  await expect(page.getByTestId('drift-unchanged')).toContainText('did exactly what they did before and kept their segment');
  await expect(page.getByTestId('segment-cards')).toHaveAttribute('data-k', String(savedK), { timeout: TIMEOUT });
});
