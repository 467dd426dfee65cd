// Broken input must end in a clear message, never a blank screen, and must not lose the result on screen.
import { gzipSync } from 'node:zlib';
import { test, expect } from './fixtures';
import { DEMO, openApp, summary, upload, type Upload } from './helpers';

const csv = (name: string, text: string): Upload => ({ name, mimeType: 'text/csv', buffer: Buffer.from(text) });

function events(rows: number): string {
  const lines = ['event_time,event_type,product_id,user_id,user_session'];
  for (let i = 0; i < rows; i++) {
    lines.push(
      `2019-10-01 00:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')} UTC,view,${1000 + (i % 97)},${500 + (i % 13)},s${i % 29}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

async function expectError(page: import('@playwright/test').Page, code: string, message: RegExp) {
  const alert = page.getByRole('alert');
  await expect(alert).toBeVisible({ timeout: 60_000 });
  await expect(alert).toHaveAttribute('data-testid', 'error');
  await expect(alert).toHaveAttribute('data-code', code);
  await expect(alert).toContainText(message);
  await expect(page.getByTestId('progress')).toHaveCount(0);
  // The demo's summary is still there: a bad file costs nothing.
  await expect(summary(page)).toHaveAttribute('data-file', DEMO);
}

test.beforeEach(async ({ page }) => {
  await openApp(page);
});

test('an empty file says it is empty', async ({ page }) => {
  await upload(page, csv('empty.csv', ''));
  await expectError(page, 'empty', /empty/i);
});

test('a binary file says it is not a text log', async ({ page }) => {
  const bytes = Buffer.alloc(4096);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919) % 256;
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d], 0);
  await upload(page, { name: 'picture.csv', mimeType: 'text/csv', buffer: bytes });
  await expectError(page, 'binary', /binary/i);
});

test('a CSV without user or item columns opens the mapping panel on its columns', async ({ page }) => {
  await upload(page, csv('measurements.csv', 'colour,size,weight\nred,10,1.5\nblue,12,2\nred,12,3\n'));
  await expectError(page, 'no-user-or-item', /colour/);
  const mapping = page.getByTestId('mapping');
  await expect(mapping).toHaveAttribute('open', '');
  await expect(mapping.locator('select[data-column="colour"]')).toBeVisible();
  await expect(mapping.locator('select[data-column="weight"]')).toBeVisible();
});

test('a truncated .gz says it ends early', async ({ page }) => {
  const gz = gzipSync(Buffer.from(events(4000)));
  await upload(page, { name: 'events.csv.gz', mimeType: 'application/gzip', buffer: gz.subarray(0, Math.floor(gz.length / 2)) });
  await expectError(page, 'truncated-gzip', /truncated|ends early/i);
});

test('a complete .gz is read like the plain file', async ({ page }) => {
  await upload(page, { name: 'events.csv.gz', mimeType: 'application/gzip', buffer: gzipSync(Buffer.from(events(500))) });
  await expect(summary(page)).toHaveAttribute('data-file', 'events.csv.gz', { timeout: 60_000 });
  await expect(summary(page)).toHaveAttribute('data-rows', '500');
  await expect(page.getByTestId('error')).toHaveCount(0);
});

test('the reading limit set under the file picker stops a larger log with a message that names it, and is kept', async ({ page }) => {
  const limit = page.locator('details.read-limit');
  await limit.locator('summary').click();
  const field = limit.getByLabel('Stop reading a log past this many events');
  await field.fill('1000');
  await expect(limit.locator('summary')).toContainText(/1,000/);
  await upload(page, csv('events.csv', events(1500)));
  await expectError(page, 'too-large', /more than 1,000 events.*reading limit/);
  // Remembered in this browser: after a reload the same limit applies, to the log reopened too.
  await page.reload();
  await expect(page.locator('details.read-limit summary')).toContainText(/1,000/);
  await expect(page.getByRole('alert')).toContainText(/more than 1,000 events/, { timeout: 60_000 });
  await page.locator('details.read-limit summary').click();
  await page.getByLabel('Stop reading a log past this many events').fill('2000');
  await upload(page, csv('events.csv', events(1500)));
  await expect(summary(page)).toHaveAttribute('data-file', 'events.csv', { timeout: 60_000 });
});
