// The first screen as a merchant sees it (a first visit: the analyst's area closed): once the demo
// is analysed, the map and a card per segment are in the first viewport at 1440x900 and 1280x720;
// the sticky status bar never says the segments are ready while a step still runs; the analyst's
// area opens on demand and stays open after a reload. Screenshots go to the test report.
import type { Page, TestInfo } from '@playwright/test';
import { test, expect } from './fixtures';
import { ANALYSIS_TIMEOUT, DEMO, summary } from './helpers';

test.use({ analystDetails: null });

const READY_TIMEOUT = 240_000;

/**
 * Records, inside the page, every moment the status bar says "done" while a step's own panel says it
 * is not finished (atomic: the bar and the panels are read in the same mutation callback).
 */
async function watchReady(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as { __readyViolations: string[]; __readySeen: number };
    w.__readyViolations = [];
    w.__readySeen = 0;
    const check = () => {
      const bar = document.querySelector('[data-testid="pipeline-status"]');
      if (bar?.getAttribute('data-state') !== 'done') return;
      w.__readySeen++;
      const state = (id: string, attr: string) => document.querySelector(`[data-testid="${id}"]`)?.getAttribute(attr) ?? 'missing';
      const bad: string[] = [];
      if (state('encoder', 'data-state') !== 'done') bad.push(`encoder ${state('encoder', 'data-state')}`);
      const gcn = state('gcn', 'data-state');
      if (gcn !== 'done' && gcn !== 'off' && gcn !== 'missing') bad.push(`gcn ${gcn}`);
      if (state('clusters', 'data-state') !== 'done' || state('clusters', 'data-stale') === 'true') bad.push('clusters');
      if (state('map', 'data-state') !== 'done' || state('map', 'data-stale') === 'true') bad.push('map');
      if (state('insights', 'data-loading') === 'true' || state('insights', 'data-stale') === 'true') bad.push('profiles');
      if (bad.length) w.__readyViolations.push(bad.join(', '));
    };
    new MutationObserver(check).observe(document, { subtree: true, attributes: true, childList: true });
  });
}

async function boxOf(page: Page, testId: string): Promise<{ top: number; bottom: number }> {
  const box = await page.getByTestId(testId).first().boundingBox();
  expect(box, testId).not.toBeNull();
  return { top: box!.y, bottom: box!.y + box!.height };
}

async function attach(page: Page, info: TestInfo, name: string): Promise<void> {
  await info.attach(name, { body: await page.screenshot(), contentType: 'image/png' });
}

for (const [width, height] of [
  [1440, 900],
  [1280, 720],
] as const) {
  test(`${width}x${height}: the map and every segment card are on the first screen when the segments are ready`, async ({ page }, info) => {
    test.setTimeout(READY_TIMEOUT + 60_000);
    await page.setViewportSize({ width, height });
    // No console errors or warnings on the way (the page's own or a library's).
    const console: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') console.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => console.push(`pageerror: ${e.message}`));
    await watchReady(page);
    await page.goto('/');
    await expect(summary(page)).toHaveAttribute('data-file', DEMO, { timeout: ANALYSIS_TIMEOUT });
    const status = page.getByTestId('pipeline-status');
    // While the steps run, the bar names one with its place in the run.
    await expect(status).toHaveAttribute('data-state', /running|done/);
    await expect(status).toHaveAttribute('data-state', 'done', { timeout: READY_TIMEOUT });
    await expect(page.getByTestId('pipeline-status-text')).toHaveText('Segments ready');
    await expect(page.getByTestId('pipeline-cancel')).toHaveCount(0);
    await expect(status).toContainText(DEMO);
    // Not scrolled: the first viewport.
    expect(await page.evaluate(() => window.scrollY)).toBe(0);

    const map = await boxOf(page, 'map-chart');
    expect(map.top).toBeLessThan(height * 0.6);
    // Most of the map is on screen (its bottom may touch the fold).
    expect(Math.min(map.bottom, height) - map.top).toBeGreaterThan((map.bottom - map.top) * 0.9);
    const cards = page.getByTestId('segment-card');
    const k = Number(await page.getByTestId('clusters').getAttribute('data-k'));
    await expect(cards).toHaveCount(k);
    for (let i = 0; i < k; i++) {
      // Each card's name and size are on screen (the list scrolls for many segments).
      const name = await cards.nth(i).getByTestId('segment-name').boundingBox();
      const size = await cards.nth(i).getByTestId('segment-size').boundingBox();
      expect(name && size && name.y >= 0 && size.y + size.height <= height, `card ${i} on the first screen`).toBe(true);
      await expect(cards.nth(i).getByTestId('segment-name')).not.toHaveText('');
      await expect(cards.nth(i).getByTestId('segment-size')).toContainText(/[\d,]+ customers · \d+%/);
    }
    // The analyst's panels are out of the way on a first visit.
    await expect(page.getByTestId('analyst-details')).not.toHaveAttribute('open', '');
    await expect(page.getByTestId('encoder')).toBeHidden();
    await attach(page, info, `first-screen-${width}x${height}`);

    const watched = await page.evaluate(() => {
      const w = window as unknown as { __readyViolations: string[]; __readySeen: number };
      return { __readyViolations: w.__readyViolations, __readySeen: w.__readySeen };
    });
    expect(watched.__readySeen, 'the watcher saw the bar say ready').toBeGreaterThan(0);
    expect(watched.__readyViolations, 'the bar said ready while a step was not finished').toEqual([]);
    expect(console, 'console errors and warnings').toEqual([]);
  });
}

test('the analyst area opens on demand and stays open after a reload; the status bar cancels the step that runs', async ({ page }, info) => {
  test.setTimeout(READY_TIMEOUT + 60_000);
  await page.setViewportSize({ width: 1440, height: 900 });
  // The behaviour model trains for a while: time to cancel it from the bar.
  await page.goto('/?encoder=seqbert');
  await expect(summary(page)).toHaveAttribute('data-file', DEMO, { timeout: ANALYSIS_TIMEOUT });
  const status = page.getByTestId('pipeline-status');
  await expect(status).toHaveAttribute('data-step', 'encode', { timeout: 60_000 });
  await expect(page.getByTestId('pipeline-status-text')).toContainText('Learning how customers shop');
  await page.getByTestId('pipeline-cancel').click();
  await expect(status).toHaveAttribute('data-state', 'stopped');
  await expect(page.getByTestId('pipeline-status-text')).toHaveText('Stopped: Learning how customers shop');
  await expect(page.getByTestId('encoder')).toHaveAttribute('data-state', 'cancelled');

  const details = page.getByTestId('analyst-details');
  await details.locator(':scope > summary').click();
  await expect(details).toHaveAttribute('open', '');
  await expect(page.getByTestId('encoder')).toBeVisible();
  await attach(page, info, 'analyst-area-open');
  await page.reload();
  await expect(summary(page)).toHaveAttribute('data-file', DEMO, { timeout: ANALYSIS_TIMEOUT });
  await expect(page.getByTestId('analyst-details')).toHaveAttribute('open', '');
});
