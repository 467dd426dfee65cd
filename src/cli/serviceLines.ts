// The command line's service lines (--service-items auto|off, --service-item ID, --product-item ID):
// detected and corrected as in the app (pipeline/catalog), reported in the JSON and the text, and
// the mask the profiles and recommendations leave out. An id given that is not an item of the log
// is said on stderr (and listed in the JSON), not ignored silently.

import { detectServiceItems, resolveServiceItems, type ServiceLineEntry, type ServiceResolution, type ServiceSettings } from '../pipeline/catalog';
import type { EventTable } from '../pipeline/ingest/table';
import { quoted } from './args';
import { terminalLine } from './terminal';

export interface CliServiceLines {
  mode: ServiceSettings['mode'];
  /** Items treated as service lines (left out of profiles and recommendations). */
  count: number;
  /** Service lines in effect, and detected ones turned back into products by --product-item. */
  items: Omit<ServiceLineEntry, 'item'>[];
  /** Ids of --service-item / --product-item that are not items of the log. */
  unknown: string[];
}

export function cliServiceLines(table: EventTable, settings: ServiceSettings, warn: (line: string) => void): { mask: Uint8Array; report: CliServiceLines } {
  return reportServiceLines(resolveServiceItems(table, settings.mode === 'auto' ? detectServiceItems(table) : null, settings), settings, warn);
}

/** The report and mask of service lines resolved already (by the pipeline runner). */
export function reportServiceLines(
  r: ServiceResolution,
  settings: ServiceSettings,
  warn: (line: string) => void,
): { mask: Uint8Array; report: CliServiceLines } {
  for (const id of r.unknown)
    warn(`analyze: note: ${quoted(id)} (--${settings.service.includes(id) ? 'service' : 'product'}-item) is not an item of this log; nothing changed for it\n`);
  return {
    mask: r.mask,
    report: { mode: r.mode, count: r.count, items: r.lines.map(({ item: _item, ...rest }) => rest), unknown: r.unknown },
  };
}

/** Lines shown in the text report; the JSON has them all. */
const SHOWN = 12;

export function formatServiceLines(s: CliServiceLines): string {
  const left = s.items.filter((l) => l.service);
  const kept = s.items.filter((l) => !l.service);
  if (left.length === 0 && kept.length === 0) return s.mode === 'auto' ? '\nService lines: none found.\n' : '';
  let text = `\nService lines (left out of profiles and recommendations; --product-item ID keeps one in): ${left.length.toLocaleString('en')}\n`;
  for (const l of left.slice(0, SHOWN)) text += `${terminalLine(`  ${l.id}${l.title ? ` (${l.title})` : ''}: ${l.reason}`)}\n`;
  if (left.length > SHOWN) text += `  … and ${(left.length - SHOWN).toLocaleString('en')} more (see --json)\n`;
  if (kept.length > 0) text += `${terminalLine(`  kept as products (--product-item): ${kept.map((l) => l.id).join(', ')}`)}\n`;
  return text;
}
