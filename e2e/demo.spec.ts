import { test, expect } from './fixtures';
import { DEMO, openApp, rejectRow, summary, summaryData } from './helpers';

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
