import { describe, expect, it } from 'vitest';
import type { ClusterProfile } from '../../pipeline/profile/types';
import { chromiumArgs, kioskUrl, parseArgs } from '../../../scripts/kiosk';
import { DEFAULT_KIOSK_CONFIG, parseKioskConfig, sameOriginPath, withKioskDefaults } from './config';
import { appendKioskLog, clearKioskLog, KIOSK_LOG_KEY, readKioskLog, type LogStorage } from './log';
import { captionFor, nextStop, othersThan, restartDelayMs } from './tour';

function memoryStorage(): LogStorage & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v) };
}

describe('kiosk configuration', () => {
  it('is off without ?kiosk, and on with the bare flag', () => {
    expect(parseKioskConfig('')).toBeNull();
    expect(parseKioskConfig('?model=featurizer&kiosk-log')).toBeNull();
    expect(parseKioskConfig('?kiosk')).toEqual(DEFAULT_KIOSK_CONFIG);
  });

  it('reads the times and the data path, and falls back on values out of range', () => {
    expect(parseKioskConfig('?kiosk&data=/demo/other.csv&idle=60&dwell=2.5&passes=3&load-timeout=30')).toEqual({
      data: '/demo/other.csv',
      idleSeconds: 60,
      dwellSeconds: 2.5,
      passes: 3,
      loadTimeoutSeconds: 30,
    });
    const bad = parseKioskConfig('?kiosk&idle=0&dwell=-1&passes=abc&load-timeout=1e9')!;
    expect(bad.idleSeconds).toBe(DEFAULT_KIOSK_CONFIG.idleSeconds);
    expect(bad.dwellSeconds).toBe(DEFAULT_KIOSK_CONFIG.dwellSeconds);
    expect(bad.passes).toBe(DEFAULT_KIOSK_CONFIG.passes);
    expect(bad.loadTimeoutSeconds).toBe(DEFAULT_KIOSK_CONFIG.loadTimeoutSeconds);
  });

  it('takes data only from a path of this origin', () => {
    expect(sameOriginPath('/demo/x.csv')).toBe('/demo/x.csv');
    for (const outside of ['https://example.com/x.csv', '//example.com/x.csv', '/\\example.com/x', 'demo/x.csv', 'javascript:alert(1)', '/x\ny', '']) {
      expect(sameOriginPath(outside)).toBeNull();
    }
    expect(parseKioskConfig('?kiosk&data=//evil.example/x.csv')!.data).toBeNull();
  });

  it('adds the CPU paths and the text encoder where the URL does not choose, and keeps what it chose', () => {
    const search = withKioskDefaults('?kiosk&dwell=2');
    const params = new URLSearchParams(search);
    expect(search.startsWith('?kiosk&')).toBe(true);
    expect(params.get('cluster-device')).toBe('cpu');
    expect(params.get('device')).toBe('wasm');
    // The text encoder: the behaviour model would train afresh every cycle.
    expect(params.get('encoder')).toBe('text');
    expect(new URLSearchParams(withKioskDefaults('?kiosk&encoder=seqbert')).get('encoder')).toBe('seqbert');
    expect(params.get('dwell')).toBe('2');
    expect(new URLSearchParams(withKioskDefaults('?kiosk&cluster-device=auto&device=webgpu')).get('cluster-device')).toBe('auto');
    expect(new URLSearchParams(withKioskDefaults('?kiosk&cluster-device=auto&device=webgpu')).get('device')).toBe('webgpu');
    // Applying it twice changes nothing more.
    expect(withKioskDefaults(search)).toBe(search);
  });
});

describe('kiosk log', () => {
  it('keeps the newest entries up to its capacity, oldest dropped first', () => {
    const storage = memoryStorage();
    for (let i = 0; i < 7; i++) appendKioskLog({ level: i % 2 ? 'error' : 'info', event: 'e', message: `m${i}`, cycle: i }, storage, 5);
    const entries = readKioskLog(storage);
    expect(entries.map((e) => e.message)).toEqual(['m2', 'm3', 'm4', 'm5', 'm6']);
    expect(entries.every((e) => !Number.isNaN(Date.parse(e.at)))).toBe(true);
    clearKioskLog(storage);
    expect(readKioskLog(storage)).toEqual([]);
  });

  it('starts afresh from a damaged log and drops malformed entries', () => {
    const storage = memoryStorage();
    storage.setItem(KIOSK_LOG_KEY, '{not json');
    expect(readKioskLog(storage)).toEqual([]);
    storage.setItem(KIOSK_LOG_KEY, JSON.stringify([{ at: 'x', level: 'info', event: 'a', message: 'ok', cycle: 1 }, { level: 'nope' }, 3]));
    expect(readKioskLog(storage).map((e) => e.message)).toEqual(['ok']);
    expect(appendKioskLog({ level: 'info', event: 'b', message: 'x'.repeat(2000), cycle: 2 }, storage).at(-1)!.message.length).toBe(500);
  });

  it('works without storage at all', () => {
    expect(readKioskLog(null)).toEqual([]);
    expect(appendKioskLog({ level: 'info', event: 'a', message: 'm', cycle: 1 }, null)).toHaveLength(1);
  });
});

describe('tour', () => {
  it('visits every cluster once per pass, then ends the cycle', () => {
    const stops: string[] = [];
    let at: { cluster: number; pass: number } | null = { cluster: 0, pass: 0 };
    while (at) {
      stops.push(`${at.pass}:${at.cluster}`);
      at = nextStop(at, 3, 2);
    }
    expect(stops).toEqual(['0:0', '0:1', '0:2', '1:0', '1:1', '1:2']);
    expect(nextStop({ cluster: 0, pass: 0 }, 1, 1)).toBeNull();
    expect(nextStop({ cluster: 0, pass: 0 }, 0, 5)).toBeNull();
  });

  it('greys out every cluster but the one toured', () => {
    expect(othersThan(2, 4)).toEqual([0, 1, 3]);
    expect(othersThan(0, 1)).toEqual([]);
  });

  it('captions a cluster with its label, size and top items', () => {
    const profile = {
      cluster: 1,
      label: 'Buyers · Kitchen',
      size: 120,
      share: 0.25,
      topItems: [
        { item: 0, id: 'A1', title: 'Candle holder', users: 50, share: 0.4, lift: 2 },
        { item: 1, id: 'B2', title: '', users: 40, share: 0.3, lift: 1.5 },
        { item: 2, id: 'C3', title: 'Mug', users: 30, share: 0.25, lift: 1.2 },
        { item: 3, id: 'D4', title: 'Tray', users: 20, share: 0.2, lift: 1.1 },
      ],
    } as unknown as ClusterProfile;
    const c = captionFor(profile, 4);
    expect(c.heading).toBe('Segment 1 · 2 of 4');
    expect(c.title).toBe('Buyers · Kitchen');
    expect(c.size).toMatch(/^120 customers · 25\s?% of all$/);
    expect(c.items).toEqual(['Candle holder', 'B2', 'Mug']);
    expect(captionFor({ ...profile, label: '', size: 1 } as ClusterProfile, 4).title).toBe('Segment 1');
    expect(captionFor({ ...profile, size: 1 } as ClusterProfile, 4).size).toMatch(/^1 customer ·/);
    // A log grouped by session counts sessions.
    expect(captionFor(profile, 4, 'session').size).toMatch(/^[\d,]+ sessions ·/);
    expect(captionFor({ ...profile, size: 1 } as ClusterProfile, 4, 'session').size).toMatch(/^1 session ·/);
  });

  it('restarts at once after one failure and backs off, bounded, after failures in a row', () => {
    expect(restartDelayMs(1)).toBe(0);
    const delays = [2, 3, 4, 5, 20].map(restartDelayMs);
    expect(delays[0]).toBeGreaterThan(0);
    for (let i = 1; i < delays.length; i++) expect(delays[i]).toBeGreaterThanOrEqual(delays[i - 1]);
    expect(restartDelayMs(100)).toBe(60_000);
  });
});

describe('npm run kiosk', () => {
  it('turns its options into the kiosk URL', () => {
    const o = parseArgs(['--port', '5000', '--data', '/demo/x.csv', '--dwell', '4', '--params', 'model=featurizer&gcn=off', '--no-browser']);
    expect(o.port).toBe(5000);
    expect(o.browser).toBe(false);
    const url = new URL(kioskUrl(o.port, o.params));
    expect(url.origin).toBe('http://127.0.0.1:5000');
    expect(url.search.startsWith('?kiosk&')).toBe(true);
    expect(parseKioskConfig(url.search)).toMatchObject({ data: '/demo/x.csv', dwellSeconds: 4 });
    expect(url.searchParams.get('gcn')).toBe('off');
    expect(() => parseArgs(['--bogus'])).toThrow(/Unknown option/);
    expect(() => parseArgs(['--port', '99999'])).toThrow(/port/);
  });

  it('starts Chromium full screen on the kiosk URL, without a sandbox only as root', () => {
    const args = chromiumArgs('http://127.0.0.1:4180/?kiosk', '/tmp/p', false);
    expect(args).toContain('--kiosk');
    expect(args).toContain('--app=http://127.0.0.1:4180/?kiosk');
    expect(args).toContain('--user-data-dir=/tmp/p');
    expect(args).not.toContain('--no-sandbox');
    expect(chromiumArgs('u', 'p', true)).toContain('--no-sandbox');
  });
});
