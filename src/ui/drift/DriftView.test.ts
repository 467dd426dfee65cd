// The drift view's markup (server-rendered: no charts are drawn, the tables and counts are all there).
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { computeDrift } from '../../pipeline/drift/drift';
import { DriftView } from './DriftView';

const side = (rows: [string, number][], itemIds: string[]) => ({
  userIds: rows.map((r) => r[0]),
  clusters: Int32Array.from(rows.map((r) => r[1])),
  k: 2,
  itemIds,
  traits: [['Buys often'], null],
});

const report = computeDrift(
  side(
    [
      ['a', 0],
      ['b', 0],
      ['c', 1],
      ['lapsed', 1],
    ],
    ['x', 'gone'],
  ),
  side(
    [
      ['a', 0],
      ['b', 1],
      ['c', -1],
      ['n1', 0],
    ],
    ['x', '<b>new</b>'],
  ),
  ['Loyal', 'Occasional <script>'],
);

function render(): string {
  return renderToStaticMarkup(
    createElement(DriftView, {
      applied: {
        drift: report,
        model: { sourceFile: 'march.csv', created: '2026-12-01T10:00:00Z', size: 1000, version: 1 },
        update: null,
        seconds: 0.5,
        unchanged: 0,
        placement: null,
      },
      logName: 'april.csv',
      noun: 'customers',
    }),
  );
}

describe('DriftView', () => {
  const html = render();

  it('shows returning, new, lapsed and moved customers in plain words', () => {
    expect(html).toContain('data-kept="3"');
    expect(html).toContain('data-new="1"');
    expect(html).toContain('data-lost="1"');
    expect(html).toContain('Customers who moved');
    expect(html).toContain('Returning customers');
  });

  it('the matrix table has a caption, header cells with scope, and totals equal to the returning customers', () => {
    const table = html.slice(html.indexOf('data-testid="drift-matrix"'));
    expect(table).toContain('<caption>');
    expect(table).toContain('scope="row"');
    expect(table).toContain('scope="col"');
    expect(table).toContain('data-total="3"');
    const rowTotals = [...table.matchAll(/data-row-total="(\d+)"/g)].map((m) => Number(m[1]));
    expect(rowTotals).toEqual([2, 1, 0]);
  });

  it('escapes names from the log, and offers both downloads', () => {
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<b>new</b>');
    expect(html).toContain('drift-download-json');
    expect(html).toContain('drift-download-csv');
    expect(html).toContain('Items that appeared');
  });
});
