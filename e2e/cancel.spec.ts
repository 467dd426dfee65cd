import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, expect } from './fixtures';
import { DEMO, analyse, openApp, summary, summaryData, upload } from './helpers';

const TARGET_BYTES = 40 * 1024 * 1024;

/** A REES46-shaped log of about 40 MB, so reading it takes long enough to cancel. */
async function writeBigLog(dir: string): Promise<{ big: string; small: string }> {
  const header = 'event_time,event_type,product_id,category_id,category_code,brand,price,user_id,user_session\n';
  const types = ['view', 'view', 'view', 'cart', 'purchase'];
  const chunks: string[] = [header];
  let bytes = header.length;
  for (let i = 0; bytes < TARGET_BYTES; i++) {
    const s = i % 86_400;
    const time = `2019-10-${String(1 + (Math.floor(i / 86_400) % 28)).padStart(2, '0')} ${String(Math.floor(s / 3600)).padStart(2, '0')}:${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')} UTC`;
    const line = `${time},${types[i % types.length]},${1_000_000 + (i % 50_021)},2053013555631882655,electronics.smartphone,brand${i % 301},${(i % 997) + 0.99},${500_000_000 + (i % 40_009)},session-${Math.floor(i / 7)}\n`;
    chunks.push(line);
    bytes += line.length;
  }
  const big = join(dir, 'big-events.csv');
  const small = join(dir, 'small-events.csv');
  await writeFile(big, chunks.join(''));
  await writeFile(small, chunks.slice(0, 2001).join(''));
  return { big, small };
}

test('cancelling a large upload keeps the previous result and the app usable', async ({ page }) => {
  const dir = await mkdtemp(join(tmpdir(), 'seqlens-e2e-'));
  try {
    const files = await writeBigLog(dir);
    await openApp(page);
    const before = await summaryData(page);

    await upload(page, files.big);
    const progress = page.getByTestId('progress');
    await expect(progress).toBeVisible();
    await page.getByTestId('cancel').click();

    await expect(page.getByTestId('status')).toContainText('Cancelled — the previous result is kept');
    await expect(progress).toHaveCount(0);
    await expect(page.getByTestId('error')).toHaveCount(0);
    await expect(summary(page)).toHaveAttribute('data-file', DEMO);
    expect(await summaryData(page)).toEqual(before);

    // The worker is free again: the next file is analysed normally.
    const next = await analyse(page, files.small);
    expect(Number(next.rows)).toBe(2000);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the map can be cancelled while it is laid out, and laid out again; the clusters stay as they were', async ({ page }) => {
  test.setTimeout(240_000);
  // 6,000 shoppers: enough points that UMAP (500 epochs up to 10,000 points) takes seconds.
  const lines = ['user_id,item_id,title,event_type,timestamp'];
  for (let u = 0; u < 6000; u++) {
    for (let e = 0; e < 3; e++) {
      const item = (u * 13 + e * 7) % 400;
      lines.push(`u${u},i${item},Item ${item} ${['red', 'blue', 'green', 'black'][item % 4]},view,2024-05-0${1 + e}T09:00:00Z`);
    }
  }
  await page.goto('/?model=featurizer&gcn=off&cluster-device=cpu&sweep=2..4');
  await expect(summary(page)).toHaveAttribute('data-file', DEMO, { timeout: 90_000 });
  await upload(page, { name: 'many-shoppers.csv', mimeType: 'text/csv', buffer: Buffer.from(`${lines.join('\n')}\n`) });
  await expect(summary(page)).toHaveAttribute('data-file', 'many-shoppers.csv', { timeout: 90_000 });
  const map = page.getByTestId('map');
  await expect(page.getByTestId('map-cancel')).toBeVisible({ timeout: 120_000 });
  await page.getByTestId('map-cancel').click();
  await expect(map).toHaveAttribute('data-state', 'cancelled');
  await expect(page.getByTestId('map-cancelled')).toContainText('The map was cancelled.');
  // The clusters and profiles are untouched by it.
  await expect(page.getByTestId('clusters')).toHaveAttribute('data-state', 'done');

  await page.getByRole('button', { name: 'Lay out again' }).click();
  await expect(map).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
  await expect(map).toHaveAttribute('data-points', '6000');
  const trust = await page.getByTestId('map-details').getAttribute('data-trust');
  expect(Number(trust)).toBeGreaterThan(0.5);
});
