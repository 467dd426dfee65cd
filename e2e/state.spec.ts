// Saving the analysis (settings, K, selection, hidden clusters, colouring) to a file and restoring
// it after a reload, with changed settings in the file, and the refusals: a file that is not a
// saved analysis, and one saved for another log.
import { readFileSync } from 'node:fs';
import type { Locator, Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { ANALYSIS_TIMEOUT, DEMO, insidePlot, summary } from './helpers';
import { parseCsv } from '../test/lib/testCsv';

const MAP_TIMEOUT = 150_000;
const URL = '/?model=featurizer&gcn=off&cluster-device=cpu';

const map = (page: Page): Locator => page.getByTestId('map');

async function mapped(page: Page): Promise<void> {
  await expect(map(page)).toHaveAttribute('data-state', 'done', { timeout: MAP_TIMEOUT });
  await expect(map(page)).toHaveAttribute('data-stale', 'false');
  await expect(page.getByTestId('map-chart')).toHaveAttribute('data-probe', /^\d+,\d+,\d+$/);
}

async function open(page: Page): Promise<void> {
  await page.goto(URL);
  await expect(summary(page)).toHaveAttribute('data-file', DEMO, { timeout: ANALYSIS_TIMEOUT });
  await mapped(page);
}

async function brushAroundProbe(page: Page): Promise<number> {
  await page.getByTestId('map-mode-rect').click();
  const chart = page.getByTestId('map-chart');
  await chart.scrollIntoViewIfNeeded();
  const [, px, py] = ((await chart.getAttribute('data-probe')) ?? '').split(',').map(Number);
  const box = (await chart.boundingBox())!;
  const x = box.x + px;
  const y = box.y + py;
  await page.mouse.move(...insidePlot(box, x - 70, y - 70));
  await page.mouse.down();
  await page.mouse.move(x, y, { steps: 4 });
  await page.mouse.move(...insidePlot(box, x + 70, y + 70), { steps: 4 });
  await page.mouse.up();
  await expect(map(page)).not.toHaveAttribute('data-selected', '0');
  await page.getByTestId('map-mode-pan').click();
  return Number(await map(page).getAttribute('data-selected'));
}

async function save(page: Page, path: string): Promise<Record<string, unknown>> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Save analysis' }).click()]);
  expect(download.suggestedFilename()).toBe(`seqlens-analysis-${DEMO}.json`);
  await download.saveAs(path);
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}

async function restore(page: Page, file: { name: string; buffer: Buffer }): Promise<void> {
  await page.getByTestId('state-file-input').setInputFiles({ ...file, mimeType: 'application/json' });
}

test('the analysis is saved to a file and restored after a reload: K, selection, hidden clusters, colouring', async ({ page }, testInfo) => {
  test.setTimeout(300_000);
  await open(page);
  const clusters = page.getByTestId('clusters');
  const suggested = Number(await clusters.getAttribute('data-k'));
  const slider = page.getByTestId('k-slider');
  const kMax = Number(await slider.getAttribute('max'));
  await slider.focus();
  await page.keyboard.press(suggested < kMax ? 'ArrowRight' : 'ArrowLeft');
  const k = suggested < kMax ? suggested + 1 : suggested - 1;
  await expect(map(page)).toHaveAttribute('data-k', String(k));
  const selected = await brushAroundProbe(page);
  await page.getByTestId('map-legend-1').click();
  await page.getByTestId('map-color-by').selectOption('length');

  const path = testInfo.outputPath('state.json');
  const saved = await save(page, path);
  expect(saved.format).toBe('seqlens-analysis');
  expect(saved.k).toBe(k);
  expect(saved.hiddenClusters).toEqual([1]);
  expect(saved.colorBy).toBe('length');
  expect((saved.selection as string[]).length).toBe(selected);
  expect((saved.file as { name: string }).name).toBe(DEMO);
  expect(JSON.stringify(saved)).not.toContain('StockCode'); // settings and ids only: no rows of the log
  await expect(page.getByTestId('state-file-message')).toContainText(`Saved the analysis of ${DEMO} with K = ${k}`);

  // After a reload the view starts over; restoring brings it back.
  await page.reload();
  await expect(summary(page)).toHaveAttribute('data-file', DEMO, { timeout: ANALYSIS_TIMEOUT });
  await mapped(page);
  await expect(map(page)).toHaveAttribute('data-k', String(suggested));
  await expect(map(page)).toHaveAttribute('data-selected', '0');
  await restore(page, { name: 'state.json', buffer: readFileSync(path) });
  await expect(page.getByTestId('state-file-message')).toContainText('Restored the analysis saved', { timeout: MAP_TIMEOUT });
  await expect(map(page)).toHaveAttribute('data-k', String(k));
  await expect(clusters).toHaveAttribute('data-k', String(k));
  await expect(map(page)).toHaveAttribute('data-selected', String(selected));
  await expect(map(page)).toHaveAttribute('data-hidden', '1');
  await expect(map(page)).toHaveAttribute('data-color-by', 'length');

  // A file with other settings: the sweep runs again with them, then the saved K is chosen.
  const edited = {
    ...saved,
    k: 3,
    selection: [],
    hiddenClusters: [],
    settings: { ...(saved.settings as object), cluster: { kMin: 2, kMax: 5, device: 'cpu' } },
  };
  await restore(page, { name: 'edited.json', buffer: Buffer.from(JSON.stringify(edited)) });
  await expect(page.getByTestId('state-file-message')).toContainText('Restored the analysis saved', { timeout: MAP_TIMEOUT });
  await expect(clusters).toHaveAttribute('data-range', '2..5');
  await expect(map(page)).toHaveAttribute('data-k', '3');
  await expect(map(page)).toHaveAttribute('data-selected', '0');
  await expect(map(page)).toHaveAttribute('data-hidden', '');
});

test('a file that is not a saved analysis, or was saved for another log, is refused with the reason', async ({ page }) => {
  await open(page);
  await restore(page, { name: 'notes.json', buffer: Buffer.from('{"hello": "world"}') });
  await expect(page.getByTestId('state-file-error')).toContainText(/not a SeqLens analysis file/i);
  await restore(page, { name: 'broken.json', buffer: Buffer.from('{"format": "seqlens-analysis", ') });
  await expect(page.getByTestId('state-file-error')).toBeVisible();
  const k = await map(page).getAttribute('data-k');

  const path = test.info().outputPath('state.json');
  const saved = await save(page, path);
  const other = { ...saved, file: { name: 'other-shop.csv', bytes: 10, rows: 42 } };
  await restore(page, { name: 'other.json', buffer: Buffer.from(JSON.stringify(other)) });
  await expect(page.getByTestId('state-file-error')).toContainText('saved for other-shop.csv (42 rows)');
  await expect(page.getByTestId('state-file-error')).toContainText(`the log on screen is ${DEMO}`);
  // Nothing on screen changed.
  await expect(map(page)).toHaveAttribute('data-k', k!);
});

test('exports of the selection hold only the selected users: assignments and their recommendations', async ({ page }, testInfo) => {
  test.setTimeout(240_000);
  await open(page);
  const selected = await brushAroundProbe(page);
  await page.getByTestId('export-scope-selection').check();
  const k = await map(page).getAttribute('data-k');

  const download = async (what: string): Promise<string[][]> => {
    await page.getByTestId('export-what').selectOption(what);
    await page.getByTestId('export-format-csv').check();
    const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-download').click()]);
    expect(file.suggestedFilename()).toBe(`seqlens-uci-online-retail-demo-k${k}-selection-${what}.csv`);
    const path = testInfo.outputPath(file.suggestedFilename());
    await file.saveAs(path);
    // Labels and reasons hold commas: read back with the app's own CSV reader.
    return parseCsv(readFileSync(path, 'utf8'));
  };

  const assignments = await download('assignments');
  expect(assignments[0]).toEqual(['user_id', 'cluster', 'x', 'y', 'label']);
  expect(assignments).toHaveLength(selected + 1);
  const ids = new Set(assignments.slice(1).map((r) => r[0]));
  expect(ids.size).toBe(selected);
  await expect(page.getByTestId('export-status')).toContainText(`(${selected.toLocaleString('en-US')} rows)`);

  const recs = await download('recommendations');
  expect(recs[0]).toEqual(['user_id', 'cluster', 'label', 'list', 'rank', 'item_id', 'title', 'score', 'reason']);
  const recUsers = new Set(recs.slice(1).map((r) => r[0]));
  expect([...recUsers].every((id) => ids.has(id))).toBe(true);
  expect(recUsers.size).toBe(selected);
  // Each user's own lists: only 'new' and 'again', ranks from 1 within each, every item with a reason.
  const lists = new Set(recs.slice(1).map((r) => r[3]));
  expect([...lists].every((l) => l === 'new' || l === 'again')).toBe(true);
  expect(lists.has('new')).toBe(true);
  expect(recs.slice(1).every((r) => Number(r[4]) >= 1 && r[8] !== '')).toBe(true);
});
