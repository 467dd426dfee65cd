import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { expect } from './fixtures';

export const DEMO = 'uci-online-retail-demo.csv';

/** Big files can take a while on a slow CI machine; a hung worker still fails well within the test timeout. */
export const ANALYSIS_TIMEOUT = 90_000;

export const summary = (page: Page): Locator => page.getByTestId('summary');

export async function openApp(page: Page): Promise<void> {
  await page.goto('/');
  await expect(summary(page)).toHaveAttribute('data-file', DEMO, { timeout: ANALYSIS_TIMEOUT });
}

export type Upload = string | { name: string; mimeType: string; buffer: Buffer };

export async function upload(page: Page, file: Upload): Promise<void> {
  await page.getByTestId('file-input').setInputFiles(file);
}

/** Uploads a file and waits until its summary is on screen. */
export async function analyse(page: Page, file: Upload): Promise<Record<string, string>> {
  await upload(page, file);
  const name = typeof file === 'string' ? basename(file) : file.name;
  await expect(summary(page)).toHaveAttribute('data-file', name, { timeout: ANALYSIS_TIMEOUT });
  await expect(page.getByTestId('progress')).toHaveCount(0);
  await expect(page.getByTestId('error')).toHaveCount(0);
  return summaryData(page);
}

/** An element's data-* attributes, camel-cased as the DOM gives them. */
export function dataset(locator: Locator): Promise<Record<string, string>> {
  return locator.evaluate((el) => ({ ...(el as HTMLElement).dataset }) as Record<string, string>);
}

/** The data-* attributes of the element with this test id. */
export const data = (page: Page, testId: string): Promise<Record<string, string>> => dataset(page.getByTestId(testId));

/** The summary's data-* attributes, e.g. { rows: '1000', users: '330', readMs: '12.5' }. */
export function summaryData(page: Page): Promise<Record<string, string>> {
  return dataset(summary(page));
}

/** Training the behaviour model in the browser (wasm on a loaded 2-core CI machine). */
export const TRAIN_TIMEOUT = 240_000;

export function rejectRow(page: Page, reasonPart: string): Locator {
  return page.getByTestId('rejects').locator(`tr[data-reason*="${reasonPart}"]`);
}

/** RFC 4180: quoted fields may hold commas, doubled quotes and line breaks. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

/** The map canvas's margin around its plot, plus a little: a drag that starts there brushes nothing. */
const PLOT_INSET = 12;

/** (x, y) moved inside the map's plot, the canvas `box` less its margin: where a brushing drag may start and end. */
export function insidePlot(box: { x: number; y: number; width: number; height: number }, x: number, y: number): [number, number] {
  return [
    Math.min(box.x + box.width - PLOT_INSET, Math.max(box.x + PLOT_INSET, x)),
    Math.min(box.y + box.height - PLOT_INSET, Math.max(box.y + PLOT_INSET, y)),
  ];
}

/**
 * Sets K with the cluster panel's slider (a sweep starting at K = 2), downloads assignments.csv
 * and returns user id -> cluster.
 */
export async function assignmentsAtK(page: Page, k: number): Promise<Map<string, number>> {
  const clusters = page.getByTestId('clusters');
  await expect(clusters).toHaveAttribute('data-state', 'done', { timeout: TRAIN_TIMEOUT });
  const slider = page.getByTestId('k-slider');
  await slider.focus();
  await page.keyboard.press('Home');
  for (let i = 2; i < k; i++) await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('k-value')).toHaveText(String(k));
  await expect(clusters).toHaveAttribute('data-k', String(k));
  await expect(clusters).toHaveAttribute('data-stale', 'false');

  const exportPanel = page.getByTestId('export');
  await expect(exportPanel).toHaveAttribute('data-ready', 'true', { timeout: TRAIN_TIMEOUT });
  await page.getByTestId('export-what').selectOption('assignments');
  await page.getByTestId('export-format-csv').check();
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-download').click()]);
  expect(file.suggestedFilename()).toMatch(/assignments\.csv$/);
  const rows = parseCsv(readFileSync(await file.path(), 'utf8'));
  expect(rows[0].slice(0, 2)).toEqual(['user_id', 'cluster']);
  const out = new Map<string, number>();
  for (const r of rows.slice(1)) out.set(r[0], Number(r[1]));
  return out;
}
