import { test, expect } from './fixtures';
import { DEMO, openApp, summary, summaryData, upload } from './helpers';

test('a reassigned column is applied and remembered for the same layout after a reload', async ({ page }) => {
  await openApp(page);
  const before = await summaryData(page);

  const mapping = page.getByTestId('mapping');
  await mapping.getByText('Column roles').click();
  await expect(mapping).toHaveAttribute('open', '');
  await expect(mapping.locator('select[data-column="StockCode"]')).toHaveValue('item');

  // Items by description instead of stock code: a role names one column, so StockCode lets go of it.
  await mapping.getByLabel('Description').selectOption('item');
  await expect(mapping.locator('select[data-column="StockCode"]')).toHaveValue('ignore');
  await mapping.getByRole('button', { name: 'Apply mapping' }).click();

  await expect(summary(page)).not.toHaveAttribute('data-items', before.items, { timeout: 60_000 });
  await expect(page.getByTestId('progress')).toHaveCount(0);
  const remapped = await summaryData(page);
  expect(remapped.file).toBe(DEMO);
  expect(remapped.rows).toBe(before.rows);

  await page.reload();
  await expect(summary(page)).toHaveAttribute('data-file', DEMO, { timeout: 60_000 });
  await expect(page.getByTestId('progress')).toHaveCount(0);
  await expect(summary(page)).toHaveAttribute('data-items', remapped.items);
  await mapping.getByText('Column roles').click();
  await expect(mapping.locator('select[data-column="Description"]')).toHaveValue('item');
  await expect(mapping.locator('select[data-column="StockCode"]')).toHaveValue('ignore');
});

test('a file whose columns were not recognised can be mapped by hand', async ({ page }) => {
  await openApp(page);
  await upload(page, {
    name: 'shop.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from('colour,size,weight\nred,10,1.5\nblue,12,2\nred,12,3\ngreen,10,4\n'),
  });
  await expect(page.getByTestId('error')).toHaveAttribute('data-code', 'no-user-or-item', { timeout: 60_000 });

  const mapping = page.getByTestId('mapping');
  await expect(mapping).toHaveAttribute('open', '');
  const apply = mapping.getByRole('button', { name: 'Apply mapping' });
  await expect(apply).toBeDisabled();
  await mapping.getByLabel('colour').selectOption('item');
  await mapping.getByLabel('size').selectOption('user');
  await apply.click();

  await expect(summary(page)).toHaveAttribute('data-file', 'shop.csv', { timeout: 60_000 });
  await expect(summary(page)).toHaveAttribute('data-rows', '4');
  await expect(page.getByTestId('error')).toHaveCount(0);
});
