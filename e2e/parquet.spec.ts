// Parquet through the real UI: the export panel's four Parquet downloads (read back here with
// hyparquet), and a Parquet log (the demo, converted by DuckDB) that reads like the CSV.
// The fixture fails any test that makes a request to anything but the app's own origin.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { Page } from '@playwright/test';
import { parquetReadObjects } from 'hyparquet';
import { expect, test } from './fixtures';
import { ANALYSIS_TIMEOUT, analyse, DEMO, summary, summaryData } from './helpers';

/** Encode, sweep and profiles on a 2-core machine. */
const PIPELINE_TIMEOUT = 150_000;

async function download(page: Page, which: string): Promise<{ name: string; bytes: Uint8Array }> {
  // The Parquet files sit in a closed "For data tools" disclosure (analysts' terms stay out of the merchant's view).
  const box = page.getByTestId('export-parquet-box');
  if ((await box.getAttribute('open')) === null) await box.locator('summary').click();
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId(`export-parquet-${which}`).click()]);
  return { name: file.suggestedFilename(), bytes: new Uint8Array(readFileSync(await file.path())) };
}

const magic = (b: Uint8Array, at: number): string => new TextDecoder().decode(b.subarray(at, at + 4));

test('the export panel downloads the Parquet files: vectors, segments with the map, centres', async ({ page }) => {
  test.setTimeout(300_000);
  await page.goto('/?model=featurizer&gcn=off&cluster-device=cpu');
  await expect(summary(page)).toHaveAttribute('data-file', DEMO, { timeout: ANALYSIS_TIMEOUT });
  const clusters = page.getByTestId('clusters');
  await expect(clusters).toHaveAttribute('data-state', 'done', { timeout: PIPELINE_TIMEOUT });
  await expect(page.getByTestId('export')).toHaveAttribute('data-ready', 'true', { timeout: PIPELINE_TIMEOUT });
  const k = Number(await clusters.getAttribute('data-k'));
  const sequences = Number((await summaryData(page)).sequences);

  const expected = { userVectors: 'user_vectors', itemVectors: 'item_vectors', assignments: 'assignments', centroids: 'centroids' };
  const rows: Record<string, Record<string, unknown>[]> = {};
  for (const [which, stem] of Object.entries(expected)) {
    const file = await download(page, which);
    expect(file.name).toMatch(new RegExp(`^seqlens-uci-online-retail-demo-k${k}-${stem}\\.parquet$`));
    expect(magic(file.bytes, 0)).toBe('PAR1');
    expect(magic(file.bytes, file.bytes.length - 4)).toBe('PAR1');
    rows[which] = await parquetReadObjects({ file: file.bytes.slice().buffer });
    await expect(page.getByTestId('export-status')).toHaveAttribute('data-name', file.name);
    await expect(page.getByTestId('export-status')).toHaveAttribute('data-rows', String(rows[which].length));
  }
  expect(rows.userVectors).toHaveLength(sequences);
  const d = (rows.userVectors[0].vector as number[]).length;
  expect(d).toBeGreaterThan(1);
  expect(rows.centroids.map((c) => c.cluster)).toEqual(Array.from({ length: k }, (_, i) => i));
  for (const c of rows.centroids) expect(c.vector).toHaveLength(d);
  expect(rows.itemVectors.length).toBeGreaterThan(100);
  // Everybody on the map, then the customers with too little history (cluster -1, no position).
  const placed = rows.assignments.filter((a) => a.x !== null);
  expect(placed).toHaveLength(sequences);
  expect(rows.assignments.filter((a) => a.x === null).every((a) => a.cluster === -1)).toBe(true);
});

test('a Parquet log (the demo, written by DuckDB) reads like the CSV', async ({ page }) => {
  test.setTimeout(180_000);
  const path = join(mkdtempSync(join(tmpdir(), 'seqlens-e2e-parquet-')), 'demo.parquet');
  const instance = await DuckDBInstance.create(':memory:');
  try {
    const c = await instance.connect();
    await c.run(`COPY (SELECT * FROM read_csv('public/demo/${DEMO}')) TO '${path}' (FORMAT parquet)`);
  } finally {
    instance.closeSync();
  }
  await page.goto('/?model=featurizer&gcn=off&cluster-device=cpu');
  await expect(summary(page)).toHaveAttribute('data-file', DEMO, { timeout: ANALYSIS_TIMEOUT });
  const csv = await summaryData(page);
  // Named .log: the reader goes by the file's magic, not its name.
  const pq = await analyse(page, { name: 'demo-events.log', mimeType: 'application/octet-stream', buffer: readFileSync(path) });
  for (const key of ['rows', 'accepted', 'rejected', 'users', 'items', 'sequences', 'events'] as const) expect(pq[key], key).toBe(csv[key]);
  await expect(summary(page)).toContainText('Parquet');
});
