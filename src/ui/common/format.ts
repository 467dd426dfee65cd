// Numbers, sizes and dates for people, in the reader's own locale.
const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });
const compact = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });
const percent = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 0 });
// Log timestamps rarely carry a zone; showing them in UTC keeps the day the file says.
const day = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' });
// Moments of this session (an analysis saved, restored) are the reader's own clock time.
const moment = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const momentSeconds = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

export const formatInt = (n: number): string => integer.format(n);
export const formatDecimal = (n: number): string => decimal.format(n);
export const formatCompact = (n: number): string => compact.format(n);
export const formatPercent = (fraction: number): string => percent.format(fraction);

const BYTE_UNITS = ['byte', 'kilobyte', 'megabyte', 'gigabyte'] as const;

// Building a unit formatter costs milliseconds (the locale's unit data); progress bars format
// sizes several times a second, so each formatter is made once.
const unitFormats = new Map<string, Intl.NumberFormat>();
function unitFormat(unit: string, maximumFractionDigits: number): Intl.NumberFormat {
  const key = `${unit}/${maximumFractionDigits}`;
  let f = unitFormats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(undefined, { style: 'unit', unit, unitDisplay: 'short', maximumFractionDigits });
    unitFormats.set(key, f);
  }
  return f;
}

export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < BYTE_UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  return unitFormat(BYTE_UNITS[unit], unit === 0 ? 0 : 1).format(value);
}

export function formatDuration(ms: number): string {
  return ms < 1000 ? unitFormat('millisecond', 0).format(ms) : unitFormat('second', 1).format(ms / 1000);
}

export function formatDay(iso: string | null): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : day.format(date);
}

/** A moment (epoch ms) in the reader's time zone, in the same date style as formatDay; `seconds` for a log of events. */
export function formatMoment(ms: number, seconds = false): string {
  return Number.isFinite(ms) ? (seconds ? momentSeconds : moment).format(new Date(ms)) : '—';
}

export function daysBetween(start: string | null, end: string | null): number | null {
  if (!start || !end) return null;
  const ms = new Date(end).getTime() - new Date(start).getTime();
  return Number.isNaN(ms) ? null : ms / 86_400_000;
}
