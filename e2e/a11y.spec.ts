// An automated accessibility check (axe-core, WCAG 2 A and AA rules) of the main views once the demo
// is analysed: the first screen, the analyst's area open, and a customer's drawer. No serious or
// critical violation may remain; the rest are printed for the record.
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { ANALYSIS_TIMEOUT, DEMO, summary } from './helpers';

test.use({ analystDetails: null });

async function audit(page: Page, name: string): Promise<void> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const serious = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  for (const v of result.violations) console.log(`${name}: ${v.impact} ${v.id} (${v.nodes.length}) ${v.help}`);
  expect(
    serious.map(
      (v) =>
        `${v.id}: ${v.help} — ${v.nodes
          .slice(0, 3)
          .map((n) => n.target.join(' '))
          .join(' | ')}`,
    ),
    `${name}: serious accessibility violations`,
  ).toEqual([]);
}

test('the main views have no serious accessibility violations (axe-core)', async ({ page }) => {
  test.setTimeout(300_000);
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto('/');
  await expect(summary(page)).toHaveAttribute('data-file', DEMO, { timeout: ANALYSIS_TIMEOUT });
  await expect(page.getByTestId('pipeline-status')).toHaveAttribute('data-state', 'done', { timeout: 240_000 });
  await audit(page, 'first screen');

  await page.getByTestId('analyst-details').locator(':scope > summary').click();
  await expect(page.getByTestId('encoder')).toBeVisible();
  await audit(page, 'analyst area');

  const chart = page.getByTestId('map-chart');
  await chart.scrollIntoViewIfNeeded();
  const [, px, py] = ((await chart.getAttribute('data-probe')) ?? '').split(',').map(Number);
  const box = (await chart.boundingBox())!;
  await page.mouse.click(box.x + px, box.y + py);
  await expect(page.getByTestId('map-drawer')).toHaveAttribute('data-state', 'done', { timeout: 30_000 });
  await audit(page, 'customer drawer');
});
