import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeCsv } from '../../../test/lib/testLog';
import type { EventTable } from '../ingest/table';
import { detectServiceItems, type ServiceDetection } from './serviceItems';
import { checkServiceSettings, DEFAULT_SERVICE_SETTINGS, resolveServiceItems, ServiceSettingsError, withServiceChoice } from './serviceSettings';

// Three products, a shipping line (detected by its title) and a gift-wrap line (not detected).
let table: EventTable;
let detection: ServiceDetection;
beforeAll(async () => {
  const H = 'event_time,event_type,product_id,price,user_id,user_session,title';
  const rows = [H];
  for (let u = 0; u < 6; u++) {
    rows.push(`2021-01-0${u + 1} 10:00:00 UTC,purchase,p${u % 3},${10 + u},u${u},s${u},Teapot ${u % 3}`);
    rows.push(`2021-01-0${u + 1} 10:00:00 UTC,purchase,ship,4.95,u${u},s${u},Shipping`);
    if (u % 2 === 0) rows.push(`2021-01-0${u + 1} 10:01:00 UTC,purchase,wrap,2,u${u},s${u},Gift wrap`);
  }
  ({ table } = await analyzeCsv(rows));
  detection = detectServiceItems(table);
});

const idx = (id: string) => table.items.indexOf(id);

describe('service-line settings', () => {
  it('detects the shipping line only', () => {
    expect(detection.items.map((s) => s.id)).toEqual(['ship']);
  });

  it('applies detection by default, lists each line with its reason and counts rows', () => {
    const r = resolveServiceItems(table, detection, DEFAULT_SERVICE_SETTINGS);
    expect(r.count).toBe(1);
    expect(r.mask[idx('ship')]).toBe(1);
    expect(r.lines).toEqual([
      expect.objectContaining({ id: 'ship', detected: true, service: true, rows: 6, reason: expect.stringMatching(/title says shipping/) }),
    ]);
    expect(r.unknown).toEqual([]);
  });

  it('lets the user turn a detected line back into a product, and mark another as a service line', () => {
    let s = withServiceChoice(DEFAULT_SERVICE_SETTINGS, 'ship', false, true);
    s = withServiceChoice(s, 'wrap', true, false);
    expect(s).toEqual({ mode: 'auto', service: ['wrap'], product: ['ship'] });
    const r = resolveServiceItems(table, detection, s);
    expect(r.mask[idx('ship')]).toBe(0);
    expect(r.mask[idx('wrap')]).toBe(1);
    expect(r.count).toBe(1);
    // The detected line stays listed (as a product now), so the choice can be undone.
    expect(r.lines.find((l) => l.id === 'ship')).toMatchObject({ detected: true, service: false });
    expect(r.lines.find((l) => l.id === 'wrap')).toMatchObject({ detected: false, service: true, reason: 'marked as a service line by you' });
    // Undoing both leaves no override at all.
    const back = withServiceChoice(withServiceChoice(s, 'ship', true, true), 'wrap', false, false);
    expect(back).toEqual({ mode: 'auto', service: [], product: [] });
  });

  it("with detection off, only the user's ids count", () => {
    const off = resolveServiceItems(table, detection, { mode: 'off', service: [], product: [] });
    expect(off.count).toBe(0);
    expect(off.lines).toEqual([]);
    const s = withServiceChoice({ mode: 'off', service: [], product: [] }, 'ship', true, true);
    expect(s.service).toEqual(['ship']);
    const r = resolveServiceItems(table, detection, s);
    expect(r.count).toBe(1);
    expect(r.mask[idx('ship')]).toBe(1);
  });

  it('reports ids that are not in the log instead of applying them silently', () => {
    const r = resolveServiceItems(table, detection, { mode: 'auto', service: ['POST'], product: ['nope'] });
    expect(r.unknown.sort()).toEqual(['POST', 'nope']);
    expect(r.count).toBe(1);
  });

  it('checks settings from outside: trims, de-duplicates, refuses contradictions and bad shapes', () => {
    expect(checkServiceSettings(undefined)).toEqual(DEFAULT_SERVICE_SETTINGS);
    expect(checkServiceSettings({ service: [' a ', 'a', 'b'] })).toEqual({ mode: 'auto', service: ['a', 'b'], product: [] });
    expect(() => checkServiceSettings({ service: ['a'], product: ['a'] })).toThrow(ServiceSettingsError);
    expect(() => checkServiceSettings({ mode: 'sometimes' })).toThrow(/auto' or 'off/);
    expect(() => checkServiceSettings({ service: 'POST' })).toThrow(ServiceSettingsError);
    expect(() => checkServiceSettings({ service: [''] })).toThrow(ServiceSettingsError);
    expect(() => checkServiceSettings('auto')).toThrow(ServiceSettingsError);
    expect(() => withServiceChoice(DEFAULT_SERVICE_SETTINGS, '  ', true, false)).toThrow(ServiceSettingsError);
  });
});
