// Asking before an opened log is copied into the browser (a first visit: nothing remembered yet).
// "Don't keep" leaves only how it was read, so a reload cannot reopen it; "Keep a copy" stores it,
// and a reload reopens it; "Remember my answer" makes it the setting the privacy panel shows.
import { test, expect } from './fixtures';
import { ANALYSIS_TIMEOUT, DEMO, summary, upload, type Upload } from './helpers';

test.use({ keepLogs: null });

function smallLog(name: string): Upload {
  const lines = ['user_id,item_id,event_type,timestamp'];
  for (let u = 0; u < 30; u++) for (let e = 0; e < 3; e++) lines.push(`c${u},i${(u + e * 5) % 9},purchase,2024-03-0${1 + e}T10:00:00Z`);
  return { name, mimeType: 'text/csv', buffer: Buffer.from(`${lines.join('\n')}\n`) };
}

test('the page asks before keeping a copy of an opened log, and a reload reopens only a kept one', async ({ page }) => {
  test.setTimeout(180_000);
  await page.goto('/?model=featurizer&gcn=off');
  await expect(summary(page)).toHaveAttribute('data-file', DEMO, { timeout: ANALYSIS_TIMEOUT });
  // The demo ships with the app: nothing to ask.
  await expect(page.getByTestId('keep-log')).toHaveCount(0);

  await upload(page, smallLog('first.csv'));
  await expect(summary(page)).toHaveAttribute('data-file', 'first.csv', { timeout: ANALYSIS_TIMEOUT });
  const prompt = page.getByTestId('keep-log');
  await expect(prompt).toBeVisible();
  await expect(prompt).toContainText(/Keep a copy of first\.csv \([^)]+\) in this browser, so that a reload reopens it\?/);
  await page.getByTestId('keep-log-no').click();
  await expect(prompt).toHaveCount(0);
  await expect(page.getByTestId('saved-analyses').locator('li[data-current="true"]')).toContainText('open it again');
  // Not kept: the reload cannot reopen it and shows the demo.
  await page.reload();
  await expect(summary(page)).toHaveAttribute('data-file', DEMO, { timeout: ANALYSIS_TIMEOUT });

  await upload(page, smallLog('second.csv'));
  await expect(summary(page)).toHaveAttribute('data-file', 'second.csv', { timeout: ANALYSIS_TIMEOUT });
  await expect(prompt).toContainText('second.csv');
  await page.getByTestId('keep-log-remember').check();
  await page.getByTestId('keep-log-yes').click();
  await expect(prompt).toHaveCount(0);
  await expect(page.getByTestId('privacy-keep-logs')).toHaveValue('always');
  await page.reload();
  await expect(summary(page)).toHaveAttribute('data-file', 'second.csv', { timeout: ANALYSIS_TIMEOUT });
  // Remembered: the next log is kept without asking.
  await upload(page, smallLog('third.csv'));
  await expect(summary(page)).toHaveAttribute('data-file', 'third.csv', { timeout: ANALYSIS_TIMEOUT });
  await expect(page.getByTestId('saved-analyses').locator('li[data-current="true"]')).toHaveAttribute('data-name', 'third.csv');
  await expect(page.getByTestId('saved-analyses').locator('li[data-current="true"]')).not.toContainText('open it again');
  await expect(prompt).toHaveCount(0);
});
