import { test, expect } from './fixtures';
import { analyse, openApp, summary, summaryData } from './helpers';

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

test('a bot is listed with its reason and included in one click; rows without a customer id are explained and kept by grouping by session', async ({
  page,
}) => {
  await openApp(page);
  const rows = ['InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,event_type'];
  // Three customers with two orders each, a guest order (no customer id) and a scraper: 60 views, two a second.
  for (const [c, customer] of ['17001', '17002', '17003'].entries()) {
    rows.push(`5${c}01,A${c},MUG,2,2011-01-0${c + 1} 10:00:00,2.50,${customer},purchase`);
    rows.push(`5${c}02,B${c},PLATE,1,2011-02-0${c + 1} 10:00:00,4.00,${customer},purchase`);
  }
  rows.push('59901,A0,MUG,3,2011-01-05 11:00:00,2.50,,purchase', '59901,B0,PLATE,1,2011-01-05 11:00:00,4.00,,purchase');
  for (let i = 0; i < 60; i++) rows.push(`,I${i},ITEM ${i},1,2011-01-06 12:00:${String(Math.floor(i / 2)).padStart(2, '0')},1.00,18000,view`);
  const before = await analyse(page, { name: 'bots.csv', mimeType: 'text/csv', buffer: Buffer.from(`${rows.join('\n')}\n`) });
  expect(before.sequences).toBe('3');

  const dropped = page.getByTestId('dropped');
  await dropped.locator('summary').click();
  await expect(dropped.locator('li[data-id="18000"]')).toContainText('faster than a person browses');
  await expect(page.getByTestId('reject-advice')).toContainText('guest orders');

  await page.getByTestId('include-bots').click();
  await expect(summary(page)).toHaveAttribute('data-sequences', '4');
  // The options panel shows what was set: no bot rule.
  await expect(page.getByLabel(/Bot limit/)).toHaveValue('0');
  await expect(page.getByTestId('dropped')).toHaveCount(0);

  await page.getByTestId('group-by-session').click();
  await expect(summary(page)).toHaveAttribute('data-by', 'session');
  await expect(page.getByTestId('group-by').getByRole('radio', { name: 'Session' })).toBeChecked();
  await expect(page.getByTestId('error')).toHaveCount(0);
});
