// The behaviour model's settings in the encoder panel (issue 13): its size is set there, the model
// on screen is the size asked for, a size the stage refuses is named beside its field (and nothing
// trains), and the valid settings are remembered. Demo data, one epoch (?bert-epochs=1).
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { ANALYSIS_TIMEOUT, data, DEMO, summary, TRAIN_TIMEOUT } from './helpers';

test.use({ defaultEncoder: null });

/** A field of the behaviour model's settings, by its label. */
const field = (page: Page, label: string) => page.getByTestId('bert-settings').getByLabel(label, { exact: true });

test('the behaviour model’s size is set in the panel, a refused one is named and not trained, and the valid one is remembered', async ({ page }) => {
  test.setTimeout(TRAIN_TIMEOUT + 60_000);
  await page.goto('/?bert-epochs=1&gcn=off&sweep=2..3&model=featurizer&cluster-device=cpu');
  await expect(summary(page)).toHaveAttribute('data-file', DEMO, { timeout: ANALYSIS_TIMEOUT });
  const encoder = page.getByTestId('encoder');
  await expect(encoder).toHaveAttribute('data-encoder-kind', 'seqbert');

  // Folded away at first; opened from the keyboard like any disclosure.
  const settings = page.getByTestId('bert-settings');
  await expect(field(page, 'Layers')).toBeHidden();
  await settings.locator('summary').focus();
  await page.keyboard.press('Enter');
  await expect(field(page, 'Layers')).toBeVisible();
  await expect(field(page, 'Layers')).toHaveValue('2');
  await expect(field(page, 'Events read per customer (most recent)')).toHaveValue('50');
  // The page address sets the epochs: the field says so and cannot be changed here.
  await expect(field(page, 'Training passes at most')).toHaveValue('1');
  await expect(field(page, 'Training passes at most')).toBeDisabled();

  await field(page, 'Layers').fill('1');
  await field(page, 'Width').fill('32');
  await field(page, 'Attention heads').fill('4');
  await expect(encoder).toHaveAttribute('data-state', 'done', { timeout: TRAIN_TIMEOUT });
  const line = page.getByTestId('encoder-bert');
  await expect(line).toHaveAttribute('data-layers', '1', { timeout: TRAIN_TIMEOUT });
  await expect(line).toHaveAttribute('data-hidden', '32');
  await expect(line).toHaveAttribute('data-heads', '4');
  await expect(line).toHaveAttribute('data-max-len', '50');
  await expect(line).toContainText(/^Behaviour model: 1 layer, 32 wide, reads each customer’s last 50 events, trained 1 epoch on \w+, int8/);
  const trained = await data(page, 'encoder-bert');

  // A width the heads do not divide: the stage's message beside the field, nothing trains, no banner.
  const width = field(page, 'Width');
  await width.fill('30');
  const error = page.getByTestId('bert-settings-error');
  await expect(error).toContainText('The hidden size (30) must be divisible by the number of attention heads (4).');
  await expect(width).toHaveAttribute('aria-invalid', 'true');
  await expect(field(page, 'Attention heads')).toHaveAttribute('aria-invalid', 'true');
  const describedBy = (await width.getAttribute('aria-describedby')) ?? '';
  expect(describedBy.split(' ')).toContain(await error.getAttribute('id'));
  // Longer than the encode's debounce (250 ms): a job would have started by now.
  await page.waitForTimeout(1_500);
  await expect(encoder).toHaveAttribute('data-state', 'done');
  await expect(page.getByTestId('encode-progress')).toHaveCount(0);
  await expect(page.getByTestId('encode-error')).toHaveCount(0);
  expect(await data(page, 'encoder-bert')).toEqual(trained);

  // The valid settings are remembered; the refused width is not.
  await page.reload();
  await expect(summary(page)).toHaveAttribute('data-file', DEMO, { timeout: ANALYSIS_TIMEOUT });
  await page.getByTestId('bert-settings').locator('summary').click();
  await expect(field(page, 'Layers')).toHaveValue('1');
  await expect(field(page, 'Width')).toHaveValue('32');
  await expect(field(page, 'Attention heads')).toHaveValue('4');
  await expect(page.getByTestId('bert-settings-error')).toHaveCount(0);

  // Reset brings back the stage's defaults.
  await page.getByTestId('bert-settings-reset').click();
  await expect(field(page, 'Layers')).toHaveValue('2');
  await expect(field(page, 'Width')).toHaveValue('64');
});
