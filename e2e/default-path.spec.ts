// The default path (issue 13): a visitor who names no encoder gets the behaviour model. It trains
// on the demo (one epoch here), the graph network trains from its vectors, and the clusters and the
// map are still made from the behaviour model's own vectors (the network's would bring taste back).
// A visitor who chose the item titles before keeps them. The other specs name `encoder=text`
// through the fixture; these opt out of that (`defaultEncoder: null`).
import { expect, test } from './fixtures';
import { ANALYSIS_TIMEOUT, data, DEMO, summary, TRAIN_TIMEOUT } from './helpers';

test.use({ defaultEncoder: null });

test('with no encoder named, the behaviour model trains and its vectors are clustered and mapped, the graph network on', async ({ page }) => {
  test.setTimeout(TRAIN_TIMEOUT + 60_000);
  // No console errors or warnings on the default path (tfjs, its wasm backend, ECharts, the app).
  const console: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') console.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => console.push(`pageerror: ${e.message}`));
  await page.goto('/?bert-epochs=1&gcn-epochs=5&sweep=2..4&cluster-device=cpu');
  await expect(summary(page)).toHaveAttribute('data-file', DEMO, { timeout: ANALYSIS_TIMEOUT });
  const encoder = page.getByTestId('encoder');
  await expect(encoder).toHaveAttribute('data-encoder-kind', 'seqbert');
  await expect(page.getByTestId('encoder-kind').getByRole('radio', { name: /How they shop/ })).toBeChecked();
  await expect(page.getByTestId('gcn-enabled')).toBeChecked();

  await expect(encoder).toHaveAttribute('data-state', 'done', { timeout: TRAIN_TIMEOUT });
  const backend = (await data(page, 'encoder')).bertBackend;
  expect(['wasm', 'webgpu', 'cpu']).toContain(backend);
  const line = page.getByTestId('encoder-bert');
  await expect(line).toHaveAttribute('data-backend', backend);
  await expect(line).toContainText(`on ${backend}, int8`);
  // What it learned, in plain words: hidden events guessed right on held-out histories, beside the obvious guesses.
  await expect(page.getByTestId('encoder-bert-learned')).toContainText(
    /^What it learned: on [\d,]+ shopping histories it did not train on, it names the kind of a hidden event \(view, purchase, …\) correctly \d+% of the time \(always guessing the commonest kind: \d+%\), and has the hidden product among its top 10 guesses \d+% of the time \(the 10 best sellers: \d+%\)\.$/,
  );

  // The graph network trains from the model's vectors (its own go to the recommendations) ...
  await expect(page.getByTestId('gcn')).toHaveAttribute('data-state', 'done', { timeout: TRAIN_TIMEOUT });
  await expect(page.getByTestId('gcn')).toContainText('the clusters and the map are made from that model’s own vectors');
  // ... and the clusters are the behaviour model's vectors, not the network's.
  await expect(page.getByTestId('clusters')).toHaveAttribute('data-state', 'done', { timeout: TRAIN_TIMEOUT });
  const source = page.getByTestId('cluster-source');
  await expect(source).toHaveAttribute('data-stage', 'encoder');
  await expect(source).toContainText('Clustered: behaviour model vectors (model seqbert');
  await expect(source).toContainText('The graph network, on or off, does not change them');
  // The demo's customers form no clear groups by what they buy (the grouping test, seqbert/segmentSpace.ts): segments follow how they shop.
  await expect(source).toContainText('what they buy does not split them into clear groups here');
  expect(Number((await data(page, 'clusters')).k)).toBeGreaterThanOrEqual(2);
  await expect(page.getByTestId('pipeline-status')).toHaveAttribute('data-state', 'done', { timeout: TRAIN_TIMEOUT });
  expect(console, 'console errors and warnings').toEqual([]);
});

test('a visitor who chose the item titles keeps them; the URL still chooses', async ({ page }) => {
  await page.addInitScript(() => {
    if (!localStorage.getItem('seqlens.encoder.v1')) localStorage.setItem('seqlens.encoder.v1', JSON.stringify({ kind: 'text', model: 'featurizer' }));
  });
  await page.goto('/?gcn=off&sweep=2..3');
  await expect(summary(page)).toHaveAttribute('data-file', DEMO, { timeout: ANALYSIS_TIMEOUT });
  await expect(page.getByTestId('encoder')).toHaveAttribute('data-encoder-kind', 'text');
  await expect(page.getByTestId('encoder-kind').getByRole('radio', { name: /What they buy/ })).toBeChecked();
  await page.goto('/?gcn=off&sweep=2..3&encoder=seqbert&bert-epochs=1');
  await expect(page.getByTestId('encoder')).toHaveAttribute('data-encoder-kind', 'seqbert');
});
