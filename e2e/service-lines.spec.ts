// Service lines (postage, fees, manual adjustments) through the real UI: the bundled demo (UCI
// invoice lines) lists its postage, carriage and manual lines with a reason; a generated shop log
// with postage on most invoices runs to its profiles, where postage is not a top item; treating it
// as a product (keyboard only) brings it back into the profiles, and the choice survives a reload.
import type { Locator, Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { ANALYSIS_TIMEOUT, analyse, DEMO, insidePlot, summary } from './helpers';

const PIPELINE_TIMEOUT = 150_000;
const panel = (page: Page): Locator => page.getByTestId('service-lines');
const line = (page: Page, id: string): Locator => panel(page).locator(`tr[data-testid="service-line"][data-id="${id}"]`);

/**
 * A gift shop's invoices: 60 customers in 4 groups, each group buying from its own 50 of 200
 * products (4-7 per invoice, 3 invoices each, so no product reaches every customer), and postage
 * on 9 invoices in 10 (so nearly every customer has it).
 */
function shopLog(): Buffer {
  const rows = ['InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country'];
  const products = Array.from({ length: 200 }, (_, i) => ({
    code: String(21000 + i * 7),
    title: `${['RED', 'BLUE', 'GREEN', 'PINK'][i % 4]} ${['MUG', 'CANDLE', 'LANTERN', 'BAG', 'TIN'][i % 5]} ${i}`,
    price: (1 + (i % 9) * 0.85).toFixed(2),
  }));
  let invoice = 600000;
  for (let c = 0; c < 60; c++) {
    for (let v = 0; v < 3; v++) {
      invoice++;
      const day = String(1 + ((c + v * 9) % 28)).padStart(2, '0');
      const when = `2011-0${1 + v}-${day} 1${c % 10}:${String(c % 60).padStart(2, '0')}:00`;
      const n = 4 + ((c + v) % 4);
      for (let j = 0; j < n; j++) {
        // Each customer keeps to a corner of the catalogue, so clusters differ in what they buy.
        const p = products[(c % 4) * 50 + ((j * 7 + v * 13 + c * 3) % 50)];
        rows.push(`${invoice},${p.code},${p.title},${1 + ((c + j) % 6)},${when},${p.price},${17000 + c},United Kingdom`);
      }
      if ((c + v) % 10 !== 0) rows.push(`${invoice},POST,POSTAGE,1,${when},${(8 + ((c * 13 + v * 7) % 31) * 1.37).toFixed(2)},${17000 + c},Germany`);
    }
  }
  return Buffer.from(`${rows.join('\n')}\n`);
}

test('the demo lists its service lines with a reason and a switch for each', async ({ page }) => {
  await page.goto('/?model=featurizer&gcn=off');
  await expect(summary(page)).toHaveAttribute('data-file', DEMO, { timeout: ANALYSIS_TIMEOUT });
  await expect(panel(page)).toBeVisible({ timeout: ANALYSIS_TIMEOUT });
  for (const id of ['POST', 'C2', 'M', 'BANK CHARGES']) {
    await expect(line(page, id)).toHaveAttribute('data-service', 'true');
  }
  await expect(line(page, 'POST')).toContainText('title says postage');
  // Ordinary products are not listed.
  await expect(line(page, '85123A')).toHaveCount(0);
  await expect(line(page, '22423')).toHaveCount(0);
});

test('postage on most invoices stays out of the profiles until the user calls it a product', async ({ page }) => {
  test.setTimeout(300_000);
  await page.goto('/?model=featurizer&gcn=off&cluster-device=cpu&sweep=2..3');
  await expect(summary(page)).toHaveAttribute('data-file', DEMO, { timeout: ANALYSIS_TIMEOUT });
  await analyse(page, { name: 'gift-shop.csv', mimeType: 'text/csv', buffer: shopLog() });
  await expect(line(page, 'POST')).toHaveAttribute('data-service', 'true', { timeout: ANALYSIS_TIMEOUT });
  await expect(panel(page)).toHaveAttribute('data-count', '1');

  const insights = page.getByTestId('insights');
  const clusters = page.getByTestId('clusters');
  await expect(clusters).toHaveAttribute('data-state', 'done', { timeout: PIPELINE_TIMEOUT });
  await expect(insights).toHaveAttribute('data-k', /\d/, { timeout: PIPELINE_TIMEOUT });
  await expect(insights).toHaveAttribute('data-stale', 'false', { timeout: PIPELINE_TIMEOUT });
  const topItems = insights.getByTestId('profile-items').locator('li');
  await expect(topItems.first()).toBeVisible();
  await expect(insights.getByTestId('profile-items').locator('li[data-item="POST"]')).toHaveCount(0);
  await expect(insights.getByTestId('profile-recommendations').locator('li', { hasText: 'POSTAGE' })).toHaveCount(0);

  // The map's revenue leaves postage out too: select every point and read the selection's revenue.
  const map = page.getByTestId('map');
  await expect(map).toHaveAttribute('data-state', 'done', { timeout: PIPELINE_TIMEOUT });
  await page.getByTestId('map-mode-rect').click();
  const chart = page.getByTestId('map-chart');
  await chart.scrollIntoViewIfNeeded();
  await expect(chart.locator('canvas').first()).toBeVisible();
  const box = (await chart.boundingBox())!;
  // From corner to corner of the plot.
  await page.mouse.move(...insidePlot(box, box.x, box.y));
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 4 });
  await page.mouse.move(...insidePlot(box, box.x + box.width, box.y + box.height), { steps: 4 });
  await page.mouse.up();
  await expect(page.getByTestId('map-selection')).not.toHaveAttribute('data-count', '0');
  // The amount itself (the text is in the reader's locale and currency, compact above 10,000).
  const revenue = async (): Promise<number> => Number(await page.getByTestId('map-selection-revenue').getAttribute('data-revenue'));
  const withoutPostage = await revenue();
  expect(withoutPostage).toBeGreaterThan(0);

  // Keyboard only: focus the switch, toggle it with the space bar.
  const version = await panel(page).getAttribute('data-version');
  const toggle = line(page, 'POST').getByRole('checkbox', { name: 'Treat POST as a service line' });
  await toggle.focus();
  await page.keyboard.press('Space');
  await expect(line(page, 'POST')).toHaveAttribute('data-service', 'false');
  await expect(panel(page)).not.toHaveAttribute('data-version', version!);
  await expect(panel(page)).toHaveAttribute('data-count', '0');
  // On 9 invoices in 10, postage is the most shared item of every cluster once it counts.
  await expect(insights).toHaveAttribute('data-stale', 'false', { timeout: PIPELINE_TIMEOUT });
  await expect(insights.getByTestId('profile-items').first().locator('li').first()).toHaveAttribute('data-item', 'POST', { timeout: PIPELINE_TIMEOUT });
  // The same selection now counts the postage paid (8 to 50 a line, on most invoices).
  await expect.poll(revenue, { timeout: PIPELINE_TIMEOUT }).toBeGreaterThan(withoutPostage + 100);

  // The choice is kept with the saved analysis: a reload reopens the log with POST still a product.
  await page.reload();
  await expect(summary(page)).toHaveAttribute('data-file', 'gift-shop.csv', { timeout: ANALYSIS_TIMEOUT });
  await expect(line(page, 'POST')).toHaveAttribute('data-service', 'false', { timeout: ANALYSIS_TIMEOUT });
});
