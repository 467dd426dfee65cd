import { test, expect } from './fixtures';
import { openApp, summary, upload } from './helpers';

// Numeric dates whose day is never over 12 cannot tell their order: the app says so, and the
// mapping panel's date order reads them the other way, rejecting a date that does not fit it.
test('ambiguous day/month dates are flagged, and the mapping panel sets their order', async ({ page }) => {
  await openApp(page);
  const rows = Array.from({ length: 40 }, (_, i) => `u${i % 4},i${i},${(i % 12) + 1}/${(i % 11) + 1}/2019 10:00`);
  rows.push('u1,late,10/31/2019 10:00');
  await upload(page, { name: 'dates.csv', mimeType: 'text/csv', buffer: Buffer.from(`user_id,item_id,event_time\n${rows.join('\n')}\n`) });
  await expect(summary(page)).toHaveAttribute('data-file', 'dates.csv', { timeout: 60_000 });
  await expect(page.getByTestId('progress')).toHaveCount(0);
  // 10/31 settles it month-first here; without it every date would be ambiguous.
  await expect(summary(page)).toHaveAttribute('data-rejected', '0');

  const mapping = page.getByTestId('mapping');
  await mapping.getByText('Column roles').click();
  await expect(mapping.getByTestId('date-order-note')).toContainText('month/day');
  await expect(mapping.getByTestId('date-order-note')).toContainText('a date in the file shows it');
  await mapping.getByLabel('Numeric dates (10/11/2019)').selectOption('dmy');
  await mapping.getByRole('button', { name: 'Apply mapping' }).click();

  // Day-first: 10/31/2019 no longer fits and is a rejected row.
  await expect(summary(page)).toHaveAttribute('data-rejected', '1', { timeout: 60_000 });
  await expect(page.getByTestId('progress')).toHaveCount(0);
  await mapping.getByText('Column roles').click();
  await expect(mapping.getByTestId('date-order-note')).toContainText('as chosen here');
  await expect(mapping.getByLabel('Numeric dates (10/11/2019)')).toHaveValue('dmy');

  // The tab reopens the log as it was read: with the order chosen.
  await page.reload();
  await expect(summary(page)).toHaveAttribute('data-file', 'dates.csv', { timeout: 60_000 });
  await expect(page.getByTestId('progress')).toHaveCount(0);
  await expect(summary(page)).toHaveAttribute('data-rejected', '1');
  await mapping.getByText('Column roles').click();
  await expect(mapping.getByLabel('Numeric dates (10/11/2019)')).toHaveValue('dmy');
});

test('a file of only ambiguous dates says so in its warnings', async ({ page }) => {
  await openApp(page);
  const rows = Array.from({ length: 40 }, (_, i) => `u${i % 4},i${i},${(i % 12) + 1}/${(i % 11) + 1}/2019 10:00`);
  await upload(page, { name: 'ambiguous.csv', mimeType: 'text/csv', buffer: Buffer.from(`user_id,item_id,event_time\n${rows.join('\n')}\n`) });
  await expect(summary(page)).toHaveAttribute('data-file', 'ambiguous.csv', { timeout: 60_000 });
  await expect(page.getByTestId('warnings')).toContainText('Every date could be day/month or month/day');
});
