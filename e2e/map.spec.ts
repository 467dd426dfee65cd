// The map through the real UI: the demo encoded, clustered and laid out with UMAP in the worker; one
// point per sequence, a text-only tooltip, rectangle brushing and its summary, the legend greying a
// cluster out, a K change recolouring without a new layout, the user drawer (timeline and
// recommendations, Escape closes), colouring by length, and the PNG download. The fixture fails any
// request to anything but the app's own origin.
import type { Locator, Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { ANALYSIS_TIMEOUT, DEMO, insidePlot, summary, summaryData, upload } from './helpers';

const MAP_TIMEOUT = 150_000;

const map = (page: Page): Locator => page.getByTestId('map');

async function mapData(page: Page): Promise<Record<string, string>> {
  return map(page).evaluate((el) => ({ ...(el as HTMLElement).dataset }) as Record<string, string>);
}

/** Waits for a drawn, current map (the built-in featuriser's vectors, no graph network: quick, and no model to load). */
async function mapped(page: Page): Promise<Record<string, string>> {
  await expect(map(page)).toHaveAttribute('data-state', 'done', { timeout: MAP_TIMEOUT });
  await expect(map(page)).toHaveAttribute('data-stale', 'false');
  await expect(map(page)).not.toHaveAttribute('data-k', '');
  await expect(page.getByTestId('map-chart').locator('canvas').first()).toBeVisible();
  await expect(page.getByTestId('map-chart')).toHaveAttribute('data-probe', /^\d+,\d+,\d+$/);
  await expect(page.getByTestId('map-save-png')).toBeEnabled();
  return mapData(page);
}

/** A point drawn on top of the others, in page coordinates, and `at`: a point near it kept inside the plot. */
async function probe(page: Page): Promise<{ index: number; x: number; y: number; at(dx: number, dy: number): [number, number] }> {
  const chart = page.getByTestId('map-chart');
  await chart.scrollIntoViewIfNeeded();
  const [index, px, py] = ((await chart.getAttribute('data-probe')) ?? '').split(',').map(Number);
  const box = (await chart.boundingBox())!;
  const x = box.x + px;
  const y = box.y + py;
  return { index, x, y, at: (dx, dy) => insidePlot(box, x + dx, y + dy) };
}

test('the demo on the map: tooltip, brushing, legend, K change, drawer, colour by length, PNG', async ({ page }) => {
  test.setTimeout(240_000);
  await page.goto('/?model=featurizer&gcn=off&cluster-device=cpu');
  await expect(summary(page)).toHaveAttribute('data-file', DEMO, { timeout: ANALYSIS_TIMEOUT });
  const data = await mapped(page);
  const sequences = Number((await summaryData(page)).sequences);
  expect(Number(data.points)).toBe(sequences);
  const k = Number(await page.getByTestId('clusters').getAttribute('data-k'));
  expect(Number(data.k)).toBe(k);
  expect(data.selected).toBe('0');
  await expect(page.getByTestId('map-chart')).toHaveAttribute('role', 'img');
  await expect(page.getByTestId('map-chart')).toHaveAttribute(
    'aria-label',
    new RegExp(`Map of ${sequences.toLocaleString('en-US')} customers, .*coloured by segment \\(${k} segments\\)`),
  );
  await expect(page.getByTestId('map-details')).toContainText(`${sequences.toLocaleString('en-US')} points`);
  await expect(page.getByTestId('map-details')).toContainText(/trustworthiness \(15 neighbours\) 0\.\d{3} \((exact|sampled on [\d,]+ points)\)/);
  const legend = page.getByTestId('map-legend').getByRole('button', { pressed: true });
  await expect(legend).toHaveCount(k);
  const layouts = data.layouts;

  // Hover: a tooltip with the user's id, their sequence length and cluster.
  let p = await probe(page);
  await page.mouse.move(p.x + 30, p.y + 30);
  await page.mouse.move(p.x, p.y);
  const tooltip = page.getByTestId('map-tooltip');
  await expect(tooltip).toBeVisible();
  await expect(tooltip.getByTestId('map-tooltip-id')).toHaveText(/^User \S+/);
  await expect(tooltip).toContainText(/\d+ events?/);
  await expect(tooltip).toContainText(/Segment \d+/);
  await expect(tooltip).toContainText('Last events');

  // Click: the drawer with the user's timeline and recommendations; Escape closes it, focus returns.
  await page.mouse.click(p.x, p.y);
  const drawer = page.getByTestId('map-drawer');
  await expect(drawer).toBeVisible();
  await expect(drawer).toHaveAttribute('role', 'dialog');
  await expect(drawer).toHaveAttribute('data-index', String(p.index));
  await expect(drawer).toHaveAttribute('data-state', 'done', { timeout: 30_000 });
  await expect(drawer).toBeFocused();
  const rows = drawer.getByTestId('map-timeline-row');
  expect(await rows.count()).toBeGreaterThan(0);
  await expect(drawer.getByTestId('map-timeline-count')).toContainText(/event/);
  // The demo (invoice lines) has prices but no categories: no column of dashes.
  await expect(drawer.getByTestId('map-timeline').locator('th')).toHaveText(['Time (UTC)', 'Event', 'Item', 'Price × qty']);
  await expect(drawer.getByTestId('map-recommendations').or(drawer.getByTestId('map-recommendations-empty'))).toBeVisible();
  // The user's own two lists, each item with the reason it is there.
  const fresh = drawer.getByTestId('map-recommendations');
  await expect(fresh).toBeVisible();
  await expect(fresh.locator('li')).toHaveCount(20);
  await expect(fresh.locator('li').first().getByTestId('map-reason')).toHaveText(/(knn|rp3|next|users|popular)/);
  await expect(drawer.getByTestId('map-again').or(drawer.getByTestId('map-again-empty'))).toBeVisible();
  if (await drawer.getByTestId('map-again').isVisible())
    await expect(drawer.getByTestId('map-again').locator('li').first().getByTestId('map-reason')).toHaveText(/bought \d+x/);
  const name = await drawer.getByRole('heading', { level: 3 }).textContent();
  await expect(page.getByRole('dialog', { name: name! })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(drawer).toHaveCount(0);
  await expect(page.getByTestId('map-chart')).toBeFocused();

  // Rectangle brushing around the probe: a live summary consistent with the panel's count.
  await page.getByTestId('map-mode-rect').click();
  await expect(page.getByTestId('map-mode-rect')).toHaveAttribute('aria-pressed', 'true');
  p = await probe(page);
  await page.mouse.move(...p.at(-60, -60));
  await page.mouse.down();
  await page.mouse.move(p.x, p.y, { steps: 4 });
  await page.mouse.move(...p.at(60, 60), { steps: 4 });
  await page.mouse.up();
  await expect(map(page)).not.toHaveAttribute('data-selected', '0');
  const selected = Number(await map(page).getAttribute('data-selected'));
  expect(selected).toBeGreaterThan(0);
  expect(selected).toBeLessThanOrEqual(sequences);
  await expect(page.getByTestId('map-selection')).toHaveAttribute('data-count', String(selected));
  await expect(page.getByTestId('map-selection-count')).toContainText(selected.toLocaleString('en-US'));
  const perCluster = await page
    .getByTestId('map-selection-clusters')
    .locator('li')
    .evaluateAll((els) => els.map((el) => Number((el as HTMLElement).dataset.count)));
  expect(perCluster.reduce((a, b) => a + b, 0)).toBe(selected);
  await expect(page.getByTestId('map-selection-revenue')).toContainText('Net revenue');

  // The legend greys a cluster out: same points, drawn grey, listed as hidden.
  const first = page.getByTestId('map-legend-0');
  await first.click();
  await expect(first).toHaveAttribute('aria-pressed', 'false');
  await expect(map(page)).toHaveAttribute('data-hidden', '0');
  await expect(map(page)).toHaveAttribute('data-points', String(sequences));
  await expect(page.getByTestId('map-chart')).toHaveAttribute('aria-label', /1 segment greyed out \([\d,]+ customers\)/);
  await first.press('Enter');
  await expect(first).toHaveAttribute('aria-pressed', 'true');
  await expect(map(page)).toHaveAttribute('data-hidden', '');

  // Clear selection.
  await page.getByTestId('map-clear-selection').click();
  await expect(map(page)).toHaveAttribute('data-selected', '0');
  await expect(page.getByTestId('map-selection')).toHaveAttribute('data-count', '0');

  // A lasso (a triangle) around the probe selects too.
  await page.getByTestId('map-mode-polygon').click();
  p = await probe(page);
  await page.mouse.move(...p.at(-70, 50));
  await page.mouse.down();
  await page.mouse.move(...p.at(0, -80), { steps: 8 });
  await page.mouse.move(...p.at(70, 50), { steps: 8 });
  await page.mouse.move(...p.at(-70, 52), { steps: 8 });
  await page.mouse.up();
  await expect(map(page)).not.toHaveAttribute('data-selected', '0');
  await expect(page.getByTestId('map-selection')).toHaveAttribute('data-count', (await map(page).getAttribute('data-selected'))!);
  await page.getByTestId('map-clear-selection').click();
  await expect(map(page)).toHaveAttribute('data-selected', '0');
  await page.getByTestId('map-mode-pan').click();

  // Another K with the cluster panel's slider: the map recolours at once, the layout stays.
  const slider = page.getByTestId('k-slider');
  const kMax = Number(await slider.getAttribute('max'));
  await slider.focus();
  await page.keyboard.press(k < kMax ? 'ArrowRight' : 'ArrowLeft');
  const next = k < kMax ? k + 1 : k - 1;
  await expect(page.getByTestId('clusters')).toHaveAttribute('data-k', String(next));
  await expect(map(page)).toHaveAttribute('data-k', String(next));
  await expect(legend).toHaveCount(next);
  await expect(map(page)).toHaveAttribute('data-state', 'done');
  await expect(map(page)).toHaveAttribute('data-layouts', layouts);
  await expect(page.getByTestId('map-progress')).toHaveCount(0);

  // Colour by sequence length: banded, with a key whose counts add up to every point.
  await page.getByTestId('map-color-by').selectOption('length');
  await expect(map(page)).toHaveAttribute('data-color-by', 'length');
  const key = page.getByTestId('map-color-key');
  await expect(key).toHaveAttribute('data-by', 'length');
  const counts = await key.locator('li').evaluateAll((els) => els.map((el) => Number((el as HTMLElement).dataset.count)));
  expect(counts.reduce((a, b) => a + b, 0)).toBe(sequences);
  await expect(page.getByTestId('map-chart')).toHaveAttribute('aria-label', /coloured by number of events/);

  // Reset view, then the PNG download named after K.
  await page.getByTestId('map-reset').click();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('map-save-png').click()]);
  expect(download.suggestedFilename()).toBe(`seqlens-map-k${next}.png`);
});

test('ids and titles from the file are shown as text in the tooltip and drawer, never as HTML', async ({ page }) => {
  test.setTimeout(240_000);
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await page.goto('/?model=featurizer&gcn=off&cluster-device=cpu');
  await expect(summary(page)).toHaveAttribute('data-file', DEMO, { timeout: ANALYSIS_TIMEOUT });
  // 60 customers over 8 items; everyone's last purchase is the item whose title is markup.
  const evil = '<img src=x onerror=alert(1)>';
  const lines = ['InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country'];
  for (let u = 0; u < 60; u++) {
    const items = [u % 8, (u * 3 + 1) % 8, (u * 5 + 2) % 8];
    items.forEach((it, j) =>
      lines.push(`${1000 + u * 10 + j},A${it},ITEM ${it},1,2011-01-${String(1 + (u % 27)).padStart(2, '0')} 10:0${j}:00,1.5,${20000 + u},France`),
    );
    lines.push(`${1000 + u * 10 + 9},EVIL,"${evil}",1,2011-01-${String(1 + (u % 27)).padStart(2, '0')} 11:00:00,2,${20000 + u},France`);
  }
  await upload(page, { name: 'markup.csv', mimeType: 'text/csv', buffer: Buffer.from(`${lines.join('\n')}\n`) });
  await expect(summary(page)).toHaveAttribute('data-file', 'markup.csv', { timeout: ANALYSIS_TIMEOUT });
  await expect(map(page)).toHaveAttribute('data-points', '60', { timeout: MAP_TIMEOUT });
  await mapped(page);

  const p = await probe(page);
  await page.mouse.move(p.x + 30, p.y + 30);
  await page.mouse.move(p.x, p.y);
  const tooltip = page.getByTestId('map-tooltip');
  await expect(tooltip).toBeVisible();
  await expect(tooltip).toContainText(evil);
  await expect(tooltip.locator('img')).toHaveCount(0);

  await page.mouse.click(p.x, p.y);
  const drawer = page.getByTestId('map-drawer');
  await expect(drawer).toHaveAttribute('data-state', 'done', { timeout: 30_000 });
  await expect(drawer.getByTestId('map-timeline')).toContainText(evil);
  await expect(drawer.locator('img')).toHaveCount(0);
  expect(dialogs).toEqual([]);
});

/** Uploads a CSV made of `lines`, waits for its map and opens the drawer of the probe's point. */
async function drawerOf(page: Page, name: string, lines: string[]): Promise<Locator> {
  await upload(page, { name, mimeType: 'text/csv', buffer: Buffer.from(`${lines.join('\n')}\n`) });
  await expect(summary(page)).toHaveAttribute('data-file', name, { timeout: ANALYSIS_TIMEOUT });
  await mapped(page);
  const p = await probe(page);
  await page.mouse.click(p.x, p.y);
  const drawer = page.getByTestId('map-drawer');
  await expect(drawer).toHaveAttribute('data-state', 'done', { timeout: 30_000 });
  return drawer;
}

test('a log of anonymous sessions: each session gets its own lists, in words for looking, not buying', async ({ page }) => {
  test.setTimeout(240_000);
  await page.goto('/?model=featurizer&gcn=off&cluster-device=cpu');
  await expect(summary(page)).toHaveAttribute('data-file', DEMO, { timeout: ANALYSIS_TIMEOUT });
  // 120 sessions, no user column, over 24 items in two tastes; views, a few carts.
  const lines = ['session_id,timestamp,item_id,event_type'];
  for (let s = 0; s < 120; s++) {
    const base = s % 2 === 0 ? 0 : 12;
    for (let k = 0; k < 4 + (s % 4); k++) {
      const minute = String(k * 5 + (s % 5)).padStart(2, '0');
      lines.push(
        `s${s},2021-01-0${1 + (s % 9)} ${String(8 + (s % 12)).padStart(2, '0')}:${minute}:00,item${base + ((s + k * k) % 12)},${k === 3 ? 'cart' : 'view'}`,
      );
    }
  }
  const drawer = await drawerOf(page, 'visits.csv', lines);
  await expect(drawer.getByTestId('map-recommendations-hint')).toContainText('not looked at yet');
  const fresh = drawer.getByTestId('map-recommendations');
  await expect(fresh.locator('li').first()).toBeVisible();
  await expect(drawer.getByRole('heading', { name: 'Look again' })).toBeVisible();
  await expect(drawer.getByTestId('map-again').locator('li').first().getByTestId('map-reason')).toHaveText(/seen \d+x/);
  await expect(drawer).not.toContainText('bought');
});

test('a log with views and purchases: what a shopper looked at and did not buy can lead their list', async ({ page }) => {
  test.setTimeout(240_000);
  await page.goto('/?model=featurizer&gcn=off&cluster-device=cpu');
  await expect(summary(page)).toHaveAttribute('data-file', DEMO, { timeout: ANALYSIS_TIMEOUT });
  // 150 shoppers, 3 visits each: three views, then one of the viewed items bought.
  let x = 11;
  const rand = (): number => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
  const lines = ['user_id,session_id,timestamp,item_id,event_type'];
  for (let u = 0; u < 150; u++)
    for (let v = 0; v < 3; v++) {
      const day = String(1 + v * 3 + (u % 3)).padStart(2, '0');
      const viewed = [0, 1, 2].map(() => Math.floor(rand() * 60));
      viewed.forEach((i, k) => lines.push(`u${u},u${u}-${v},2021-01-${day} 10:0${k}:00,p${i},view`));
      lines.push(`u${u},u${u}-${v},2021-01-${day} 10:05:00,p${viewed[Math.floor(rand() * 3)]},purchase`);
    }
  const drawer = await drawerOf(page, 'shop.csv', lines);
  await expect(drawer.getByTestId('map-recommendations').locator('li').first().getByTestId('map-reason')).toHaveText(/looked at, not bought/);
  await expect(drawer.getByRole('heading', { name: 'Buy again' })).toBeVisible();
});
