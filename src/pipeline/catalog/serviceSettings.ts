// What the user decided about service lines, and the mask that follows from it: automatic
// detection on or off, plus ids they marked as service lines (added to what was detected) or as
// products (taken out of it). Ids, not item indices, so the choice survives re-reading the file and
// applies to the next export of the same shop. Plain data: saved with the analysis (IndexedDB), sent
// to and from the worker, given on the command line.

import { itemEventCounts, type EventTable } from '../ingest/table';
import type { ServiceDetection } from './serviceItems';

export type ServiceMode = 'auto' | 'off';

export interface ServiceSettings {
  /** 'auto': detected service lines count as such; 'off': only the ids in `service` do. */
  mode: ServiceMode;
  /** Item ids the user marked as service lines. */
  service: string[];
  /** Item ids the user marked as products (detected or not). */
  product: string[];
}

export const DEFAULT_SERVICE_SETTINGS: ServiceSettings = { mode: 'auto', service: [], product: [] };

/** At most this many ids in each list: a hand-kept list, not a catalogue. */
export const MAX_SERVICE_OVERRIDES = 10_000;

export class ServiceSettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ServiceSettingsError';
  }
}

function idList(v: unknown, what: string): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new ServiceSettingsError(`The ${what} must be a list of item ids.`);
  if (v.length > MAX_SERVICE_OVERRIDES) throw new ServiceSettingsError(`The ${what} hold ${v.length} ids; at most ${MAX_SERVICE_OVERRIDES} are kept.`);
  const out: string[] = [];
  const seen = new Set<string>();
  for (const x of v) {
    if (typeof x !== 'string' || x.trim() === '') throw new ServiceSettingsError(`The ${what} hold ${JSON.stringify(x)}, which is not an item id.`);
    const id = x.trim();
    if (!seen.has(id)) {
      seen.add(id);
      out.push(id);
    }
  }
  return out;
}

/**
 * Settings from anywhere (a saved analysis, a message, the command line) made safe: ids trimmed
 * and de-duplicated; an id in both lists, an unknown mode or a non-list is an error that says so.
 */
export function checkServiceSettings(v: unknown): ServiceSettings {
  if (v === undefined || v === null) return { ...DEFAULT_SERVICE_SETTINGS, service: [], product: [] };
  if (typeof v !== 'object') throw new ServiceSettingsError('Service-line settings must be an object.');
  const o = v as Record<string, unknown>;
  const mode = o.mode ?? 'auto';
  if (mode !== 'auto' && mode !== 'off') throw new ServiceSettingsError(`Service-line detection is 'auto' or 'off', not ${JSON.stringify(mode)}.`);
  const service = idList(o.service, 'service-line ids');
  const product = idList(o.product, 'product ids');
  const both = service.filter((id) => product.includes(id));
  if (both.length > 0) throw new ServiceSettingsError(`${both.map((x) => JSON.stringify(x)).join(', ')} cannot be marked both a service line and a product.`);
  return { mode, service, product };
}

/** One line of the list the user reviews. */
export interface ServiceLineEntry {
  /** Index into table.items. */
  item: number;
  id: string;
  title: string;
  /** Why it was detected, or that the user marked it. */
  reason: string;
  /** Found by detection (whether or not it still counts). */
  detected: boolean;
  /** Whether it is treated as a service line now (kept out of profiles and recommendations). */
  service: boolean;
  /** Rows of the log on the item. */
  rows: number;
}

export interface ServiceResolution {
  mode: ServiceMode;
  /** Per item (table.items order): 1 = kept out of profiles and recommendations. */
  mask: Uint8Array;
  /** Service lines in effect and detected ones the user turned back into products. */
  lines: ServiceLineEntry[];
  /** Ids of the settings that are not items of this log (told to the user, not applied). */
  unknown: string[];
  /** Items treated as service lines. */
  count: number;
}

/** Applies the user's choices to a detection: the mask that profiles and recommendations leave out. */
export function resolveServiceItems(table: EventTable, detection: ServiceDetection | null, settings: ServiceSettings): ServiceResolution {
  const nItems = table.items.length;
  const mask = new Uint8Array(nItems);
  const wanted = new Map<string, 'service' | 'product'>();
  for (const id of settings.service) wanted.set(id, 'service');
  for (const id of settings.product) wanted.set(id, 'product');
  // One pass over the catalogue with the (short) override lists, not a map of every item id.
  const chosen = new Map<number, 'service' | 'product'>();
  const met = new Set<string>();
  const rows = itemEventCounts(table);
  if (wanted.size > 0) {
    for (let i = 0; i < nItems; i++) {
      const w = wanted.get(table.items[i]);
      if (w) {
        chosen.set(i, w);
        met.add(table.items[i]);
      }
    }
  }
  const lines: ServiceLineEntry[] = [];
  const listed = new Set<number>();
  if (settings.mode === 'auto' && detection) {
    for (const d of detection.items) {
      const service = chosen.get(d.item) !== 'product';
      if (service) mask[d.item] = 1;
      lines.push({ item: d.item, id: d.id, title: d.title, reason: d.reason, detected: true, service, rows: rows[d.item] });
      listed.add(d.item);
    }
  }
  for (const [i, w] of chosen) {
    if (w !== 'service' || listed.has(i)) continue;
    mask[i] = 1;
    const detected = settings.mode === 'off' && detection !== null && detection.mask[i] === 1;
    lines.push({
      item: i,
      id: table.items[i],
      title: table.itemTitle[i] ?? '',
      reason: 'marked as a service line by you',
      detected,
      service: true,
      rows: rows[i],
    });
  }
  let count = 0;
  for (let i = 0; i < nItems; i++) count += mask[i];
  const unknown = [...wanted.keys()].filter((id) => !met.has(id));
  return { mode: settings.mode, mask, lines, unknown, count };
}

/**
 * The settings after the user marks `id` as a service line (`service` true) or as a product.
 * Marking a detected line as a service line again (or an undetected one as a product) just removes
 * the earlier override, so the lists only ever hold departures from detection.
 */
export function withServiceChoice(settings: ServiceSettings, id: string, service: boolean, detected: boolean): ServiceSettings {
  const key = id.trim();
  if (key === '') throw new ServiceSettingsError('An item id is needed to mark it.');
  const s = settings.service.filter((x) => x !== key);
  const p = settings.product.filter((x) => x !== key);
  const auto = settings.mode === 'auto' && detected;
  if (service && !auto) s.push(key);
  if (!service && auto) p.push(key);
  return { mode: settings.mode, service: s, product: p };
}
