// The command-line analyzer on the real shared logs; expected counts come from ../shared/data/README.md
// (or, where it counts differently, from the file itself).
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AnalysisReport } from '../src/pipeline/types';

const data = '../shared/data/';
/** The report of `analyze FILE ...args` (the featurizer encodes: the reading, not the encoder, is tested here). */
function run(args: string[]): AnalysisReport {
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/analyze.ts', ...args, '--encoder', 'featurizer', '--json'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return JSON.parse(out) as AnalysisReport;
}

describe('npm run analyze', () => {
  it('UCI Online Retail: invoice lines grouped by customer', () => {
    const r = run([`${data}uci-online-retail/online-retail-2010-12_2011-05.csv`, '--by', 'user']);
    expect(r.input.rows).toBe(209_029);
    expect(r.input.rejected.reasons).toEqual({ 'missing user id': 59_976 });
    expect(r.input.accepted).toBe(209_029 - 59_976);
    expect(r.users).toBe(2_767);
    // Items of accepted rows only (a customer id): 382 more stock codes appear only on rows without one.
    expect(r.items).toBe(3_132);
    expect(r.itemsOnlyInRejectedRows).toBe(382);
    expect(r.sessions).toBe(10_783);
    expect(r.events.byType.return).toBeGreaterThan(0);
    expect(r.sequences.by).toBe('user');
    expect(r.sequences.lengths.max).toBeGreaterThanOrEqual(r.sequences.lengths.p90);
    // A UK shop, but its prices are plain numbers: no currency is guessed.
    expect(r.currency).toEqual({ code: null, source: 'none' });
  });

  it('says the currency of the amounts and where it came from', () => {
    const dir = mkdtempSync(join(tmpdir(), 'seqlens-'));
    const rows = Array.from(
      { length: 12 },
      (_, i) => `c${i % 3},sku${i % 5},2011-01-${String(1 + i).padStart(2, '0')} 10:00,2,"£${(1.25 * (i + 1)).toFixed(2)}"`,
    );
    writeFileSync(join(dir, 'pounds.csv'), ['CustomerID,StockCode,InvoiceDate,Quantity,UnitPrice', ...rows].join('\n'));
    writeFileSync(
      join(dir, 'coded.csv'),
      ['CustomerID,StockCode,InvoiceDate,Quantity,UnitPrice,currency_code', ...rows.map((r) => `${r.replace(/"£([^"]*)"/, '$1')},eur`)].join('\n'),
    );
    expect(run([join(dir, 'pounds.csv'), '--min-length', '1']).currency).toEqual({ code: 'GBP', source: 'symbol', symbol: '£' });
    expect(run([join(dir, 'coded.csv'), '--min-length', '1']).currency).toEqual({ code: 'EUR', source: 'column', column: 'currency_code' });
    const text = execFileSync(
      process.execPath,
      ['--import', 'tsx', 'src/cli/analyze.ts', join(dir, 'pounds.csv'), '--min-length', '1', '--encoder', 'featurizer'],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    expect(text).toContain("currency: GBP (from the prices' £)");
  });

  it('Diginetica: sessions, grouped by session automatically since user_id is mostly NA', () => {
    const file = `${data}diginetica-sample/sample_train-item-views.csv`;
    const lines = readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '');
    const r = run([file]);
    expect(r.file.delimiter).toBe(';');
    expect(r.input.rows).toBe(lines.length - 1);
    expect(r.sessions).toBe(new Set(lines.slice(1).map((l) => l.split(';')[0])).size);
    expect(r.sessions).toBe(2_986);
    expect(r.sequences.by).toBe('session');
    expect(r.input.rejected.count).toBe(0);
  });

  it('REES46 events by type', () => {
    const file = `${data}rees46-sample/2019-Oct-sample.csv`;
    const lines = readFileSync(file, 'utf8').trim().split('\n').slice(1);
    const r = run([file, '--min-length', '1', '--dedupe', '0']);
    expect(r.input.rows).toBe(1_000);
    const expected: Record<string, number> = {};
    for (const l of lines) expected[l.split(',')[1]] = (expected[l.split(',')[1]] ?? 0) + 1;
    expect(r.events.byType).toEqual(expected);
    expect(r.users).toBe(new Set(lines.map((l) => l.split(',')[7])).size);
  });

  it('OTTO JSON Lines with nested events', () => {
    const r = run([`${data}otto-sample/train.jsonl`]);
    expect(r.input.rows).toBe(862);
    expect(r.sessions).toBe(20);
    expect(Object.keys(r.events.byType).sort()).toEqual(['cart', 'click', 'purchase']);
  });

  it('fails with a located, readable message and exit code 1 on bad input', () => {
    const dir = mkdtempSync(join(tmpdir(), 'seqlens-'));
    writeFileSync(join(dir, 'empty.csv'), '');
    const res = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/analyze.ts', join(dir, 'empty.csv'), '--json'], { encoding: 'utf8' });
    expect(res.status).toBe(1);
    expect(res.stdout).toBe('');
    expect(res.stderr).toMatch(/empty\.csv: The file is empty/);
    const bad = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/analyze.ts', '--by', 'bogus'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/usage/);
  });
});
