// The merchant's view in plain words and money in its currency (#15 items 5 and 6): on a first
// visit (the analyst's area closed) the segment cards, the map, the summary, the profiles and the
// exports say customers and segments, never the analyst's terms; amounts carry the log's currency
// when its prices show one, else the one the reader picks (remembered), else none.
import type { Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { ANALYSIS_TIMEOUT, DEMO, summary, upload } from './helpers';

test.use({ analystDetails: null });

const READY_TIMEOUT = 180_000;
const FAST = '/?model=featurizer&gcn=off&cluster-device=cpu';

/** The analyst's words that must not reach the merchant's view (issue #15). */
const JARGON =
  /\b(sequences?|vectors?|LightGCN|epochs?|self-loops?|propagation|inertia|Calinski|Harabasz|Davies|Bouldin|UMAP|trustworthiness|dtype|n-grams?)\b|\bARI\b/i;

/** The merchant's parts of the page: what is rendered there (innerText: a closed disclosure's content is not). */
const MERCHANT_VIEW = ['pipeline-status', 'segment-cards', 'map', 'summary', 'insights', 'export'];

async function ready(page: Page): Promise<void> {
  await expect(page.getByTestId('pipeline-status')).toHaveAttribute('data-state', 'done', { timeout: READY_TIMEOUT });
  await expect(page.getByTestId('insights')).toHaveAttribute('data-stale', 'false');
}

test('the first screen, summary, profiles and exports use no analyst jargon', async ({ page }) => {
  test.setTimeout(READY_TIMEOUT + 60_000);
  await page.goto(FAST);
  await expect(summary(page)).toHaveAttribute('data-file', DEMO, { timeout: ANALYSIS_TIMEOUT });
  await ready(page);
  await expect(page.getByTestId('analyst-details')).not.toHaveAttribute('open', '');
  for (const id of MERCHANT_VIEW) {
    // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is what a merchant reads (not a closed disclosure's content).
    const text = await page.getByTestId(id).innerText();
    expect(text.length, id).toBeGreaterThan(0);
    expect(text.match(JARGON)?.[0] ?? null, `${id}: ${text.match(new RegExp(`.{0,60}${JARGON.source}.{0,60}`, 'i'))?.[0]}`).toBeNull();
  }
  // The map's technical line is one click away, with what its terms mean.
  const details = page.locator('.map-details-box');
  await details.locator('summary').click();
  await expect(page.getByTestId('map-details')).toBeVisible();
  await expect(details).toContainText('Trustworthiness (0 to 1)');
});

test('amounts are plain numbers until the reader picks a currency, which is remembered', async ({ page }) => {
  test.setTimeout(READY_TIMEOUT + 60_000);
  await page.goto(FAST);
  await expect(summary(page)).toHaveAttribute('data-file', DEMO, { timeout: ANALYSIS_TIMEOUT });
  // The demo's prices are plain numbers: no currency is guessed.
  const currency = page.getByTestId('currency');
  await expect(currency).toHaveAttribute('data-source', 'none');
  await ready(page);
  const revenue = page.getByTestId('profile-revenue').first();
  await expect(revenue).not.toContainText('£');
  await page.getByTestId('currency-choice').selectOption('GBP');
  await expect(currency).toHaveAttribute('data-code', 'GBP');
  await expect(revenue).toContainText('£');
  await expect(page.getByTestId('insights-overview')).toContainText('£');
  await page.reload();
  await expect(summary(page)).toHaveAttribute('data-file', DEMO, { timeout: ANALYSIS_TIMEOUT });
  await expect(page.getByTestId('currency-choice')).toHaveValue('GBP');
  await expect(page.getByTestId('currency')).toHaveAttribute('data-source', 'chosen');
});

test('a log whose prices carry £ is shown in pounds, and says so', async ({ page }) => {
  test.setTimeout(READY_TIMEOUT + 60_000);
  await page.goto(FAST);
  await expect(summary(page)).toHaveAttribute('data-file', DEMO, { timeout: ANALYSIS_TIMEOUT });
  const lines = ['CustomerID,StockCode,Description,InvoiceDate,Quantity,UnitPrice'];
  const words = ['RED MUG', 'BLUE MUG', 'TEA TOWEL', 'CANDLE', 'LANTERN', 'DOORMAT', 'CUSHION', 'NAPKINS'];
  for (let c = 0; c < 60; c++) {
    for (let j = 0; j < 6; j++) {
      const item = (c * 3 + j * (c % 4 === 0 ? 1 : 2)) % words.length;
      const day = String(1 + ((c + j * 5) % 28)).padStart(2, '0');
      lines.push(`${10000 + c},SKU${item},${words[item]},2011-03-${day} 10:${String(j).padStart(2, '0')},${1 + (c % 5)},"£${(1.25 + item * 0.75).toFixed(2)}"`);
    }
  }
  await upload(page, { name: 'pounds.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\n')) });
  await expect(summary(page)).toHaveAttribute('data-file', 'pounds.csv', { timeout: ANALYSIS_TIMEOUT });
  const currency = page.getByTestId('currency');
  await expect(currency).toHaveAttribute('data-code', 'GBP');
  await expect(currency).toHaveAttribute('data-source', 'symbol');
  await expect(currency).toContainText('from the £ signs of the prices');
  await ready(page);
  await expect(page.getByTestId('profile-revenue').first()).toContainText('£');
  await expect(page.getByTestId('profile-aov').first()).toContainText('£');
});
