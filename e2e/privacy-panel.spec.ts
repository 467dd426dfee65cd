// The privacy features through the real UI: pseudonymised exports hold no id of the demo file and
// give a user the same pseudonym twice; a noised profiles export states its epsilon; the privacy
// panel lists what the app stored (with sizes), deletes all of it (the IndexedDB databases are
// really gone), and the app still works after a reload.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { ANALYSIS_TIMEOUT, DEMO, summary } from './helpers';

/** Encode, sweep, map and profiles on a 2-core machine. */
const PIPELINE_TIMEOUT = 150_000;

const clusters = (page: Page): Locator => page.getByTestId('clusters');
const panel = (page: Page): Locator => page.getByTestId('privacy');
const item = (page: Page, id: string): Locator => panel(page).locator(`[data-testid="privacy-item"][data-id="${id}"]`);

async function openDemo(page: Page): Promise<void> {
  await page.goto('/?model=featurizer&gcn=off&cluster-device=cpu');
  await expect(summary(page)).toHaveAttribute('data-file', DEMO, { timeout: ANALYSIS_TIMEOUT });
}

async function mapped(page: Page): Promise<void> {
  await expect(clusters(page)).toHaveAttribute('data-state', 'done', { timeout: PIPELINE_TIMEOUT });
  await expect(page.getByTestId('export')).toHaveAttribute('data-ready', 'true', { timeout: PIPELINE_TIMEOUT });
}

/** Downloads what the panel is set to; an export error fails at once with its message instead of a timeout. */
async function download(page: Page): Promise<{ name: string; text: string }> {
  const saved = page.waitForEvent('download', { timeout: PIPELINE_TIMEOUT });
  await page.getByTestId('export-download').click();
  const failed = page
    .getByTestId('export-error')
    .waitFor({ timeout: PIPELINE_TIMEOUT })
    .then(async () => {
      throw new Error(`export failed: ${await page.getByTestId('export-error').textContent()}`);
    });
  const file = await Promise.race([saved, failed]);
  failed.catch(() => {});
  return { name: file.suggestedFilename(), text: readFileSync(await file.path(), 'utf8') };
}

/** The demo's customer ids, as written in the file and without the '.0' a spreadsheet export added. */
function demoIds(): Set<string> {
  const lines = readFileSync(join(process.cwd(), 'public', 'demo', DEMO), 'utf8').split(/\r?\n/);
  const col = lines[0].split(',').indexOf('CustomerID');
  const ids = new Set<string>();
  for (const line of lines.slice(1)) {
    // The id column sits before the country; descriptions may hold quoted commas, so count from the end.
    const cells = line.split(',');
    const id = cells[cells.length - (lines[0].split(',').length - col)]?.trim();
    if (!id) continue;
    ids.add(id);
    ids.add(id.replace(/\.0$/, ''));
  }
  return ids;
}

const databases = (page: Page): Promise<string[]> =>
  page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name ?? '').filter((n) => n.startsWith('seqlens')));

test('pseudonymised and noised exports; the privacy panel lists and wipes what is stored', async ({ page }) => {
  test.setTimeout(300_000);
  await openDemo(page);
  await mapped(page);

  // Assignments CSV with pseudonyms, twice: the same user gets the same pseudonym.
  await page.getByTestId('export-what').selectOption('assignments');
  await page.getByTestId('export-format-csv').check();
  await page.getByTestId('export-pseudonymise').check();
  const first = await download(page);
  expect(first.name).toMatch(/-pseudonymised\.csv$/);
  await expect(page.getByTestId('export-status')).toHaveAttribute('data-privacy', /pseudonymised/);
  const second = await download(page);
  expect(second.text).toBe(first.text);
  const ids = demoIds();
  expect(ids.size).toBeGreaterThan(100);
  const rows = first.text.trim().split(/\r?\n/).slice(1);
  expect(rows.length).toBeGreaterThan(100);
  for (const row of rows) {
    const cells = row.split(',');
    expect(cells[0]).toMatch(/^u_[0-9a-f]{16}$/);
    for (const cell of cells) expect(ids.has(cell), `id ${cell} in the export`).toBe(false);
  }

  // Profiles JSON with noise: the privacy block states the epsilon; unbounded numbers are left out.
  await page.getByTestId('export-what').selectOption('profiles');
  await page.getByTestId('export-format-json').check();
  await page.getByTestId('export-noise').check();
  await page.getByTestId('export-epsilon').fill('0.5');
  const profiles = await download(page);
  expect(profiles.name).toMatch(/-dp-eps0\.5\.json$/);
  const doc = JSON.parse(profiles.text) as {
    privacy: { mechanism: string; epsilon: number; sensitivity: number; note: string };
    clusters: { events: unknown; revenue: unknown }[];
  };
  expect(doc.privacy).toMatchObject({ mechanism: 'laplace', epsilon: 0.5 });
  expect(doc.privacy.sensitivity).toBeGreaterThan(0);
  expect(doc.clusters.every((c) => c.events === null && c.revenue === null)).toBe(true);
  await expect(page.getByTestId('export-status')).toContainText('epsilon 0.5');
  expect((doc.privacy as unknown as { covers: string }).covers).toMatch(/given the clustering/);
  await expect(page.getByTestId('export-spent')).toHaveAttribute('data-spent', '0.5');
  // An epsilon of 0 is refused before anything is asked of the worker.
  await page.getByTestId('export-epsilon').fill('0');
  await expect(page.getByTestId('export-download')).toBeDisabled();
  await page.getByTestId('export-epsilon').fill('1');
  // A second noised export of the same log: the running total adds up (sequential composition).
  await download(page);
  await expect(page.getByTestId('export-spent')).toHaveAttribute('data-spent', '1.5');
  await expect(page.getByTestId('export-spent')).toContainText('1.5 over 2 noised exports');

  // The panel: the model databases, the featuriser's vectors in memory and the pseudonymisation key, with sizes.
  await panel(page).getByTestId('privacy-refresh').click();
  await expect(panel(page)).toHaveAttribute('data-busy', 'false');
  await expect(item(page, 'idb:seqlens/embeddings')).toHaveCount(1);
  await expect(item(page, 'idb:seqlens/models')).toHaveCount(1);
  await expect(item(page, 'memory:featurizer')).not.toHaveAttribute('data-items', '0');
  const key = item(page, 'idb:seqlens-privacy/keys');
  await expect(key).toContainText('Pseudonymisation key');
  await expect(key).toHaveAttribute('data-items', '1');
  expect(Number(await key.getAttribute('data-bytes'))).toBeGreaterThanOrEqual(32);
  await expect(key).toContainText(/\d+\s*(byte|B)/);
  const total = Number(await panel(page).getByTestId('privacy-total').getAttribute('data-bytes'));
  expect(total).toBeGreaterThan(0);
  // Where the browser's own count and the listed total disagree by more than a fifth, the panel says why.
  const quota = panel(page).getByTestId('privacy-quota');
  if ((await quota.count()) > 0) {
    const usage = Number(await quota.getAttribute('data-usage'));
    await expect(quota.getByTestId('privacy-usage-gap')).toHaveCount(Math.abs(usage - total) > 0.2 * Math.max(usage, total) ? 1 : 0);
  }
  // The running epsilon total of the log on screen, and the store that keeps it.
  await expect(panel(page).getByTestId('privacy-budget')).toHaveAttribute('data-spent', '1.5');
  await expect(panel(page).getByTestId('privacy-budget')).toContainText(/epsilon 1\.5 in total over 2 noised exports/);
  await expect(item(page, 'idb:seqlens-privacy/budget')).toHaveAttribute('data-items', '1');
  expect(await databases(page)).toEqual(expect.arrayContaining(['seqlens', 'seqlens-privacy']));

  // Delete everything, after a confirm step (cancel first: nothing goes).
  await panel(page).getByTestId('privacy-wipe-all').click();
  await panel(page).getByTestId('privacy-wipe-cancel').click();
  await expect(key).toHaveAttribute('data-items', '1');
  await panel(page).getByTestId('privacy-wipe-all').click();
  await panel(page).getByTestId('privacy-wipe-confirm').click();
  await expect(panel(page)).toHaveAttribute('data-busy', 'false');
  await expect(panel(page).getByTestId('privacy-empty')).toBeVisible();
  await expect(panel(page).getByTestId('privacy-error')).toHaveCount(0);
  expect(await databases(page)).toEqual([]);
  await expect(panel(page).getByTestId('privacy-budget')).toHaveAttribute('data-spent', '0');
  expect(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('seqlens')))).toEqual([]);
  expect(await page.evaluate(() => Object.keys(sessionStorage).filter((k) => k.startsWith('seqlens')))).toEqual([]);

  // The app still works: a reload opens the demo and maps it; a new export makes a new key.
  await openDemo(page);
  await mapped(page);
  await page.getByTestId('export-pseudonymise').check();
  const after = await download(page);
  const afterRows = after.text.trim().split(/\r?\n/).slice(1);
  expect(afterRows).toHaveLength(rows.length);
  // A new key: the same first user has another pseudonym now.
  expect(afterRows[0].split(',')[0]).toMatch(/^u_[0-9a-f]{16}$/);
  expect(afterRows[0].split(',')[0]).not.toBe(rows[0].split(',')[0]);
});
