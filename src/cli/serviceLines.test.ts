import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { analyzeCsv } from '../../test/lib/testLog';
import { parseArgs, UsageError, type Args } from './args';
import { cliServiceLines, formatServiceLines } from './serviceLines';

const parsed = (argv: string[]): Args => {
  const a = parseArgs(argv);
  if (a === 'help') throw new Error('help');
  return a;
};

describe('--service-items, --service-item, --product-item', () => {
  it('default to detection with no choices, and collect repeated ids', () => {
    expect(parsed(['f.csv']).serviceItems).toEqual({ mode: 'auto', service: [], product: [] });
    const a = parsed(['f.csv', '--service-items', 'off', '--service-item', 'GIFTWRAP', '--service-item', 'X1', '--product-item', 'PADS']);
    expect(a.serviceItems).toEqual({ mode: 'off', service: ['GIFTWRAP', 'X1'], product: ['PADS'] });
  });

  it('refuse a bad mode, a missing id and an id given both ways', () => {
    expect(() => parseArgs(['f.csv', '--service-items', 'maybe'])).toThrow(UsageError);
    expect(() => parseArgs(['f.csv', '--service-item'])).toThrow(/needs an item id/);
    expect(() => parseArgs(['f.csv', '--service-item', 'A', '--product-item', 'A'])).toThrow(/both a service line and a product/);
  });
});

describe('the service lines of a run', () => {
  const LOG = [
    'event_time,event_type,product_id,price,user_id,user_session,title',
    '2021-01-01 10:00:00 UTC,purchase,p1,20,u1,s1,Kettle',
    '2021-01-01 10:00:00 UTC,purchase,ship,5,u1,s1,Shipping',
    '2021-01-02 10:00:00 UTC,purchase,p2,7,u2,s2,Teapot',
  ];

  it('lists detected lines, applies the choices and says which ids are not in the log', async () => {
    const { table } = await analyzeCsv(LOG);
    const notes: string[] = [];
    const r = cliServiceLines(table, { mode: 'auto', service: ['p2', 'ghost'], product: [] }, (l) => notes.push(l));
    expect(r.report.count).toBe(2);
    expect(r.mask[table.items.indexOf('ship')]).toBe(1);
    expect(r.mask[table.items.indexOf('p2')]).toBe(1);
    expect(r.mask[table.items.indexOf('p1')]).toBe(0);
    expect(r.report.unknown).toEqual(['ghost']);
    expect(notes.join('')).toMatch(/"ghost".*not an item of this log/);
    const text = formatServiceLines(r.report);
    expect(text).toMatch(/ship \(Shipping\): title says shipping/);
    expect(text).toMatch(/p2 \(Teapot\): marked as a service line by you/);

    const kept = cliServiceLines(table, { mode: 'auto', service: [], product: ['ship'] }, () => {});
    expect(kept.report.count).toBe(0);
    expect(formatServiceLines(kept.report)).toMatch(/kept as products \(--product-item\): ship/);
  });

  it("reports the UCI demo's postage in the JSON of the command", () => {
    const out = execFileSync(
      process.execPath,
      ['--import', 'tsx', 'src/cli/analyze.ts', 'public/demo/uci-online-retail-demo.csv', '--no-encode', '--json', '--product-item', 'C2'],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const report = JSON.parse(out) as {
      serviceItems: { mode: string; count: number; items: { id: string; service: boolean; detected: boolean; reason: string }[] };
    };
    const byId = new Map(report.serviceItems.items.map((l) => [l.id, l]));
    expect(byId.get('POST')).toMatchObject({ service: true, detected: true, reason: expect.stringMatching(/postage/) });
    expect(byId.get('C2')).toMatchObject({ service: false, detected: true });
    expect(byId.has('85123A')).toBe(false);
    expect(report.serviceItems.count).toBe(report.serviceItems.items.filter((l) => l.service).length);
  }, 60_000);
});
