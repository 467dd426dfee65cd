import { test, expect } from './fixtures';
import { openApp, summary, summaryData } from './helpers';

test('switching to sessions and changing filters regroups without reading the file again', async ({ page }) => {
  await openApp(page);
  const before = await summaryData(page);
  expect(before.by).toBe('user');

  await page.getByTestId('group-by').getByRole('radio', { name: 'Session' }).check();
  await expect(summary(page)).toHaveAttribute('data-by', 'session');
  await expect(summary(page)).not.toHaveAttribute('data-sequences', before.sequences);
  await expect(page.getByTestId('error')).toHaveCount(0);

  const bySession = await summaryData(page);
  // Same reading of the file: only the grouping changed.
  expect(bySession.readMs).toBe(before.readMs);
  expect(bySession.rows).toBe(before.rows);

  // Length 1 keeps single-event sessions too, so there can only be more sequences.
  await page.getByLabel('Minimum sequence length').fill('1');
  await expect(summary(page)).not.toHaveAttribute('data-sequences', bySession.sequences);
  const afterMin = await summaryData(page);
  expect(Number(afterMin.sequences)).toBeGreaterThan(Number(bySession.sequences));
  await expect(page.getByTestId('filtered')).toContainText('Too little history yet');
  await expect(page.getByTestId('error')).toHaveCount(0);

  await page.getByTestId('group-by').getByRole('radio', { name: 'User' }).check();
  await expect(summary(page)).toHaveAttribute('data-by', 'user');
});
