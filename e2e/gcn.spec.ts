// The graph network through the real UI: after encoding the demo, the GCN trains in the analysis
// worker (epoch counter, loss and its curve, graph size, device), Stop ends it early and keeps the
// vectors, the clusters panel says it clustered the GCN vectors, and turning it off clusters the
// encoder's. The fixture fails any test that makes a request to anything but the app's own origin.
import type { Locator, Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { ANALYSIS_TIMEOUT, DEMO, summary, summaryData } from './helpers';

const TIMEOUT = 90_000;

const gcn = (page: Page): Locator => page.getByTestId('gcn');
const clusters = (page: Page): Locator => page.getByTestId('clusters');

async function openWith(page: Page, query: string): Promise<void> {
  await page.goto(`/${query}`);
  await expect(summary(page)).toHaveAttribute('data-file', DEMO, { timeout: ANALYSIS_TIMEOUT });
}

test('the GCN trains after encoding (epochs, loss, graph, device) and the clusters are of its vectors', async ({ page }) => {
  await openWith(page, '?model=featurizer&gcn-epochs=5&sweep=2..4&cluster-device=cpu');
  await expect(gcn(page)).toHaveAttribute('data-state', 'done', { timeout: TIMEOUT });
  const epochs = Number(await gcn(page).getAttribute('data-epoch'));
  expect(epochs).toBeGreaterThanOrEqual(1);
  expect(epochs).toBeLessThanOrEqual(5);
  expect(Number.isFinite(Number(await gcn(page).getAttribute('data-loss')))).toBe(true);
  expect(Number(await gcn(page).getAttribute('data-nodes'))).toBeGreaterThan(0);
  expect(Number(await gcn(page).getAttribute('data-edges'))).toBeGreaterThan(0);
  await expect(page.getByTestId('gcn-graph')).toContainText('sequence–item links');
  // Automatic: this machine's WebGPU is a software adapter (or none), so the CPU propagates, and says why.
  await expect(gcn(page)).toHaveAttribute('data-device', 'cpu');
  await expect(page.getByTestId('gcn-path-reason')).toContainText(/CPU: WebGPU (offers only a software adapter|is not available)/);
  await expect(page.getByTestId('gcn-ms-per-epoch')).toContainText('s per epoch');
  await expect(page.getByTestId('gcn-summary')).toContainText(`Trained ${epochs} epoch`);
  await expect(page.getByTestId('gcn-loss-chart')).toBeVisible();

  const sequences = Number((await summaryData(page)).sequences);
  await expect(clusters(page)).toHaveAttribute('data-state', 'done', { timeout: TIMEOUT });
  await expect(clusters(page)).toHaveAttribute('data-stale', 'false');
  await expect(clusters(page)).toHaveAttribute('data-d', '64');
  await expect(page.getByTestId('cluster-source')).toContainText(
    `Clustered: GCN vectors (LightGCN, 2 layers, 64 dims, trained ${epochs} epoch${epochs === 1 ? '' : 's'} on encoder features; model featurizer/`,
  );
  await expect(page.getByTestId('cluster-source')).toContainText(`${sequences} × 64`);

  // Off: the encoder's vectors are clustered again.
  await page.getByTestId('gcn-enabled').uncheck();
  await expect(gcn(page)).toHaveAttribute('data-state', 'off');
  await expect(page.getByTestId('cluster-source')).toContainText('Clustered: encoder vectors (model featurizer/', { timeout: TIMEOUT });
  await expect(clusters(page)).toHaveAttribute('data-d', '256');
});

test('Stop ends training early and keeps the vectors; the epoch counter and loss show while it runs', async ({ page }) => {
  await openWith(page, '?model=featurizer&gcn-epochs=1000&gcn-early-stop=off&sweep=2..4&cluster-device=cpu');
  // 1000 epochs without early stopping leave time to press Stop.
  const progress = page.getByTestId('gcn-progress');
  await expect(progress).toBeVisible({ timeout: TIMEOUT });
  await expect(progress).toContainText(/epoch \d+ of at most 1,000 · loss \d\.\d{4}/, { timeout: TIMEOUT });
  const stop = page.getByTestId('gcn-stop');
  await stop.click();
  await expect(gcn(page)).toHaveAttribute('data-state', 'done', { timeout: TIMEOUT });
  const epochs = Number(await gcn(page).getAttribute('data-epoch'));
  expect(epochs).toBeGreaterThanOrEqual(1);
  expect(epochs).toBeLessThan(1000);
  await expect(gcn(page)).toHaveAttribute('data-stopped-by-user', 'true');
  await expect(page.getByTestId('gcn-summary')).toContainText('stopped by you');
  await expect(page.getByTestId('cluster-source')).toContainText(`Clustered: GCN vectors (LightGCN, 2 layers, 64 dims, trained ${epochs} epoch`, {
    timeout: TIMEOUT,
  });
});

test('Cancel abandons the training: no GCN vectors, nothing clustered until it is trained again', async ({ page }) => {
  await openWith(page, '?model=featurizer&gcn-epochs=1000&gcn-early-stop=off&sweep=2..4&cluster-device=cpu');
  const progress = page.getByTestId('gcn-progress');
  await expect(progress).toContainText(/epoch \d+ of at most/, { timeout: TIMEOUT });
  await page.getByTestId('gcn-cancel').click();
  const state = gcn(page);
  await expect(state).toHaveAttribute('data-state', 'cancelled', { timeout: TIMEOUT });
  await expect(page.getByTestId('gcn-cancelled')).toBeVisible();
  // Nothing to cluster: the sweep waits for GCN vectors.
  await expect(clusters(page)).toHaveAttribute('data-state', 'waiting');
  await page.getByTestId('gcn-cancelled').getByRole('button', { name: 'Train again' }).click();
  await expect(progress).toContainText(/epoch \d+ of at most/, { timeout: TIMEOUT });
  await page.getByTestId('gcn-stop').click();
  await expect(state).toHaveAttribute('data-state', 'done', { timeout: TIMEOUT });
  await expect(page.getByTestId('cluster-source')).toContainText('Clustered: GCN vectors', { timeout: TIMEOUT });
});

test('a regroup cancels a running training; the GCN then trains on the new sequences', async ({ page }) => {
  await openWith(page, '?model=featurizer&gcn-epochs=1000&gcn-early-stop=off&sweep=2..4&cluster-device=cpu');
  await expect(page.getByTestId('gcn-progress')).toContainText(/epoch \d+ of at most/, { timeout: TIMEOUT });
  const before = await gcn(page).getAttribute('data-nodes');
  await page.getByTestId('group-by').getByRole('radio', { name: 'Session' }).check();
  await expect(summary(page)).toHaveAttribute('data-by', 'session');
  const sequences = (await summaryData(page)).sequences;
  await expect(gcn(page)).not.toHaveAttribute('data-nodes', before ?? '', { timeout: TIMEOUT });
  await page.getByTestId('gcn-stop').click();
  await expect(gcn(page)).toHaveAttribute('data-state', 'done', { timeout: TIMEOUT });
  await expect(clusters(page)).toHaveAttribute('data-n', sequences, { timeout: TIMEOUT });
  await expect(page.getByTestId('cluster-source')).toContainText(`${Number(sequences).toLocaleString('en')} × 64`);
});

test('WebGPU forced: the propagation runs in our WGSL kernels and trains as the CPU does', async ({ page }) => {
  const query = '?model=featurizer&gcn-epochs=8&gcn-early-stop=off&sweep=2..4&cluster-device=cpu';
  await openWith(page, `${query}&gcn-device=cpu`);
  await expect(gcn(page)).toHaveAttribute('data-state', 'done', { timeout: TIMEOUT });
  await expect(gcn(page)).toHaveAttribute('data-device', 'cpu');
  const cpuLoss = Number(await gcn(page).getAttribute('data-loss'));

  await openWith(page, `${query}&gcn-device=gpu`);
  await expect(gcn(page)).toHaveAttribute('data-state', 'done', { timeout: TIMEOUT });
  // Asserted, not assumed: the panel says WebGPU ran, with the adapter, and nothing fell back.
  await expect(gcn(page)).toHaveAttribute('data-device', 'webgpu');
  await expect(gcn(page)).toHaveAttribute('data-fallback', '');
  await expect(page.getByTestId('gcn-path-reason')).toContainText(/^ ?WebGPU \(.+\), as chosen in the settings/);
  await expect(gcn(page)).toHaveAttribute('data-epoch', '8');
  const gpuLoss = Number(await gcn(page).getAttribute('data-loss'));
  // Same seed, same maths; the GPU sums in float32, the CPU in float64.
  expect(Math.abs(gpuLoss - cpuLoss) / cpuLoss).toBeLessThan(1e-3);
  await expect(clusters(page)).toHaveAttribute('data-state', 'done', { timeout: TIMEOUT });
  await expect(clusters(page)).toHaveAttribute('data-d', '64');
});
