// Analyses kept in the browser: a reload reopens the log on screen and its graph network, sweep and
// map come from the saved results; a changed setting is computed afresh (never a stale result).
// A full quota is tested in src/worker/analysisStore.test.ts: Chromium's quota override (CDP
// Storage.overrideQuotaForOrigin) did not bind databases the app already had open.
import type { Locator, Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { ANALYSIS_TIMEOUT, DEMO, summary, upload, type Upload } from './helpers';

const TIMEOUT = 150_000;
const URL = '/?model=featurizer&gcn-epochs=5&cluster-device=cpu';

const map = (page: Page): Locator => page.getByTestId('map');
const clusters = (page: Page): Locator => page.getByTestId('clusters');

async function mapped(page: Page): Promise<void> {
  await expect(page.getByTestId('gcn')).toHaveAttribute('data-state', 'done', { timeout: TIMEOUT });
  await expect(clusters(page)).toHaveAttribute('data-state', 'done', { timeout: TIMEOUT });
  await expect(map(page)).toHaveAttribute('data-state', 'done', { timeout: TIMEOUT });
  await expect(map(page)).toHaveAttribute('data-stale', 'false');
}

function restored(page: Page): Promise<(string | null)[]> {
  return Promise.all([
    page.getByTestId('gcn').getAttribute('data-restored'),
    page.getByTestId('cluster-result').getAttribute('data-restored'),
    page.getByTestId('map-details').getAttribute('data-restored'),
  ]);
}

/** A small log of its own: 40 users over 12 items with titles. */
function shopLog(name: string, seed: number): Upload {
  const lines = ['user_id,item_id,title,event_type,timestamp,price'];
  for (let u = 0; u < 40; u++) {
    for (let e = 0; e < 4; e++) {
      const item = (u * 7 + e * 3 + seed) % 12;
      lines.push(`c${u},i${item},Item number ${item},${e === 3 ? 'purchase' : 'view'},2024-03-0${1 + e}T10:0${u % 10}:00Z,${(item + 1) * 2}`);
    }
  }
  return { name, mimeType: 'text/csv', buffer: Buffer.from(`${lines.join('\n')}\n`) };
}

test('a reload reopens the log on screen with its saved results; changed settings are computed afresh', async ({ page }) => {
  test.setTimeout(300_000);
  await page.goto(URL);
  await expect(summary(page)).toHaveAttribute('data-file', DEMO, { timeout: ANALYSIS_TIMEOUT });
  await mapped(page);
  expect(await restored(page)).toEqual(['false', 'false', 'false']);
  const k = await map(page).getAttribute('data-k');
  const sizes = await clusters(page).getAttribute('data-sizes');
  await expect(page.getByTestId('saved-analyses').locator('li[data-current="true"]')).toHaveAttribute('data-name', DEMO);

  await page.reload();
  await expect(summary(page)).toHaveAttribute('data-file', DEMO, { timeout: ANALYSIS_TIMEOUT });
  await mapped(page);
  expect(await restored(page)).toEqual(['true', 'true', 'true']);
  await expect(page.getByTestId('cluster-restored')).toBeVisible();
  // The same seeded results as before.
  await expect(map(page)).toHaveAttribute('data-k', k!);
  await expect(clusters(page)).toHaveAttribute('data-sizes', sizes!);

  // Another K range is another sweep: computed, not restored.
  await page.getByLabel('Largest K').fill('5');
  await expect(clusters(page)).toHaveAttribute('data-range', '2..5', { timeout: TIMEOUT });
  await mapped(page);
  await expect(page.getByTestId('cluster-result')).toHaveAttribute('data-restored', 'false');
  await expect(page.getByTestId('map-details')).toHaveAttribute('data-restored', 'false');

  // A log of the user's own is kept too: a reload reopens it, not the demo.
  await upload(page, shopLog('shop-a.csv', 1));
  await expect(summary(page)).toHaveAttribute('data-file', 'shop-a.csv', { timeout: ANALYSIS_TIMEOUT });
  await mapped(page);
  await page.reload();
  await expect(summary(page)).toHaveAttribute('data-file', 'shop-a.csv', { timeout: ANALYSIS_TIMEOUT });
  await mapped(page);
  expect(await restored(page)).toEqual(['true', 'true', 'true']);
  const listed = page.getByTestId('saved-analyses').locator('li');
  await expect(listed).toHaveCount(2);

  // Reopen the demo from the list; forget it.
  await page
    .getByTestId('saved-analyses')
    .locator(`li[data-name="${DEMO}"]`)
    .getByRole('button', { name: /^Reopen/ })
    .click();
  await expect(summary(page)).toHaveAttribute('data-file', DEMO, { timeout: ANALYSIS_TIMEOUT });
  await page
    .getByTestId('saved-analyses')
    .locator('li[data-name="shop-a.csv"]')
    .getByRole('button', { name: /^Forget/ })
    .click();
  await expect(listed).toHaveCount(1);
});
