import { test, expect } from './fixtures';
import { ANALYSIS_TIMEOUT, DEMO, openApp, rejectRow, summary, summaryData, upload } from './helpers';

test('the demo loads on the first screen with its summary, charts and rejected rows', async ({ page }) => {
  await openApp(page);

  await expect(page.getByRole('banner')).toContainText('nothing leaves your machine');
  await expect(page.getByRole('heading', { name: `Summary of ${DEMO}` })).toBeVisible();

  const data = await summaryData(page);
  expect(Number(data.users)).toBeGreaterThan(0);
  expect(Number(data.items)).toBeGreaterThan(0);
  expect(Number(data.sequences)).toBeGreaterThan(0);
  expect(data.by).toBe('user');
  expect(Number(data.readMs)).toBeGreaterThanOrEqual(0);

  // public/demo/README.md: the demo keeps 120 lines without a CustomerID to show rejections.
  const missingUser = rejectRow(page, 'user');
  await expect(missingUser).toHaveCount(1);
  await expect(missingUser).toHaveAttribute('data-count', '120');
  expect(Number(data.rejected)).toBeGreaterThanOrEqual(120);

  const cards = summary(page).locator('.stat-card');
  await expect(cards.filter({ has: page.getByText('Customers', { exact: true }) })).toContainText('250');
  await expect(page.getByRole('img', { name: /Bar chart of events by type/ })).toBeVisible();
  await expect(page.getByRole('img', { name: /Histogram of events per customer/ })).toBeVisible();
  await expect(page.getByTestId('status')).toContainText(/^Read .*: [\d,]+ events of [\d,]+ customers\.$/);
});

test('the file chooser is reachable from the keyboard', async ({ page }) => {
  await openApp(page);
  const choose = page.getByRole('button', { name: 'Choose file' });
  await page.keyboard.press('Tab');
  for (let i = 0; i < 5 && !(await choose.evaluate((el) => el === document.activeElement)); i++) {
    await page.keyboard.press('Tab');
  }
  await expect(choose).toBeFocused();
  const chooser = page.waitForEvent('filechooser');
  await page.keyboard.press('Enter');
  expect((await chooser).isMultiple()).toBe(false);
});

test('a file opened while the demo is still on its way is the one shown (the late demo does not cancel it)', async ({ page, context }) => {
  // The demo's download is held back, so the file's read starts while the demo request waits.
  await context.route(/\/demo\/[^/]+\.csv$/, async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    await route.continue();
  });
  const lines = ['user_id,item_id,event_type,timestamp'];
  for (let u = 0; u < 120; u++) for (let e = 0; e < 4; e++) lines.push(`c${u},i${(u * 7 + e * 5) % 23},purchase,2024-03-0${1 + e}T10:00:00Z`);
  const demoAsked = page.waitForRequest(/\/demo\/[^/]+\.csv$/);
  await page.goto('/?gcn=off');
  await demoAsked;
  await upload(page, { name: 'early.csv', mimeType: 'text/csv', buffer: Buffer.from(`${lines.join('\n')}\n`) });
  await expect(summary(page)).toHaveAttribute('data-file', 'early.csv', { timeout: ANALYSIS_TIMEOUT });
  // Still that file once the demo's download has long arrived, in the worker too: the map is of its 120 customers.
  await page.waitForTimeout(3_000);
  await expect(summary(page)).toHaveAttribute('data-file', 'early.csv');
  await expect(page.getByTestId('status')).not.toContainText('Cancelled');
  await expect(page.getByTestId('pipeline-status')).toHaveAttribute('data-state', 'done', { timeout: ANALYSIS_TIMEOUT });
  await expect(page.getByTestId('map')).toHaveAttribute('data-points', '120');
});
