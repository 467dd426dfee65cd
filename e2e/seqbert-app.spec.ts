// The behaviour BERT through the real app: ?encoder=seqbert picks "How they shop" in the encoder
// panel, the worker trains the model on the demo log (one epoch; 'auto' leaves SwiftShader's
// software WebGPU adapter alone, so here it runs on wasm) and the K sweep clusters its int8 embeddings. The backend is the one
// tfjs really ran, as the result reports it; the page must show that same one.
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { ANALYSIS_TIMEOUT, DEMO, summary } from './helpers';

const TRAIN_TIMEOUT = 240_000;

const data = (page: Page, testId: string): Promise<Record<string, string>> =>
  page.getByTestId(testId).evaluate((el) => ({ ...(el as HTMLElement).dataset }) as Record<string, string>);

test('the app trains the behaviour model on the log and clusters customers by how they shop', async ({ page }) => {
  test.setTimeout(TRAIN_TIMEOUT + 60_000);
  await page.goto('/?encoder=seqbert&gcn=off&bert-epochs=1&model=featurizer&sweep=2..4');
  await expect(summary(page)).toHaveAttribute('data-file', DEMO, { timeout: ANALYSIS_TIMEOUT });
  const encoder = page.getByTestId('encoder');
  await expect(encoder).toHaveAttribute('data-encoder-kind', 'seqbert');
  await expect(page.getByTestId('encoder-kind').getByRole('radio', { name: /How they shop/ })).toBeChecked();

  await expect(encoder).toHaveAttribute('data-state', 'done', { timeout: TRAIN_TIMEOUT });
  const backend = (await data(page, 'encoder')).bertBackend;
  expect(['wasm', 'webgpu', 'cpu']).toContain(backend);
  const line = page.getByTestId('encoder-bert');
  await expect(line).toHaveAttribute('data-backend', backend);
  await expect(line).toContainText(`on ${backend}, int8`);
  await expect(line).toContainText(/Behaviour model: \d+ layers?, \d+ wide, trained 1 epoch /);

  const clusters = page.getByTestId('clusters');
  await expect(clusters).toHaveAttribute('data-state', 'done', { timeout: TRAIN_TIMEOUT });
  expect(Number((await data(page, 'clusters')).k)).toBeGreaterThanOrEqual(2);
  await expect(page.getByTestId('cluster-source')).toContainText('behaviour model vectors');
});

test('forced onto the wasm backend (a machine without WebGPU), the app trains the behaviour model there', async ({ page }) => {
  test.setTimeout(TRAIN_TIMEOUT + 60_000);
  await page.goto('/?encoder=seqbert&gcn=off&bert-epochs=1&model=featurizer&sweep=2..4&bert-backend=wasm');
  await expect(summary(page)).toHaveAttribute('data-file', DEMO, { timeout: ANALYSIS_TIMEOUT });
  const encoder = page.getByTestId('encoder');
  await expect(encoder).toHaveAttribute('data-state', 'done', { timeout: TRAIN_TIMEOUT });
  expect((await data(page, 'encoder')).bertBackend).toBe('wasm');
  await expect(page.getByTestId('encoder-bert')).toContainText('on wasm, int8');
  await expect(page.getByTestId('clusters')).toHaveAttribute('data-state', 'done', { timeout: TRAIN_TIMEOUT });
});
