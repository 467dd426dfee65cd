// The kiosk's own log: what went wrong and when it started over, kept on the machine (nothing may
// leave it) in a ring buffer in localStorage, so an unattended screen can be audited afterwards
// with ?kiosk-log or the L key. A ring keeps the storage bounded however long the kiosk runs.

export const KIOSK_LOG_KEY = 'seqlens-kiosk-log';
export const KIOSK_LOG_CAPACITY = 200;
/** Longest message kept: a stack trace says enough in its first lines. */
const MESSAGE_LIMIT = 500;

export type KioskLogLevel = 'info' | 'error';

export interface KioskLogEntry {
  /** ISO time. */
  at: string;
  level: KioskLogLevel;
  /** What happened: 'start', 'cycle', 'error', 'crash', 'watchdog', 'render', … */
  event: string;
  message: string;
  cycle: number;
}

/** The part of Storage the log needs (tests pass a Map-backed one). */
export type LogStorage = Pick<Storage, 'getItem' | 'setItem'>;

function defaultStorage(): LogStorage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

function isEntry(v: unknown): v is KioskLogEntry {
  if (!v || typeof v !== 'object') return false;
  const e = v as Record<string, unknown>;
  return (
    typeof e.at === 'string' &&
    (e.level === 'info' || e.level === 'error') &&
    typeof e.event === 'string' &&
    typeof e.message === 'string' &&
    typeof e.cycle === 'number'
  );
}

export function readKioskLog(storage: LogStorage | null = defaultStorage()): KioskLogEntry[] {
  if (!storage) return [];
  try {
    const parsed: unknown = JSON.parse(storage.getItem(KIOSK_LOG_KEY) ?? '[]');
    return Array.isArray(parsed) ? parsed.filter(isEntry) : [];
  } catch {
    // A damaged log is started afresh rather than stopping the kiosk.
    return [];
  }
}

/** Appends an entry, dropping the oldest beyond `capacity`. Returns the entries kept. */
export function appendKioskLog(
  entry: Omit<KioskLogEntry, 'at'> & { at?: string },
  storage: LogStorage | null = defaultStorage(),
  capacity: number = KIOSK_LOG_CAPACITY,
): KioskLogEntry[] {
  const full: KioskLogEntry = { ...entry, at: entry.at ?? new Date().toISOString(), message: entry.message.slice(0, MESSAGE_LIMIT) };
  const entries = [...readKioskLog(storage), full];
  const kept = entries.length > capacity ? entries.slice(entries.length - capacity) : entries;
  if (storage) {
    try {
      storage.setItem(KIOSK_LOG_KEY, JSON.stringify(kept));
    } catch {
      // Storage full or off: the console still has it.
    }
  }
  if (full.level === 'error') console.warn(`[kiosk] ${full.event}: ${full.message}`);
  return kept;
}

export function clearKioskLog(storage: LogStorage | null = defaultStorage()): void {
  try {
    storage?.setItem(KIOSK_LOG_KEY, '[]');
  } catch {
    // Nothing to clear.
  }
}

/** A readable message for anything thrown or rejected. */
export function describeError(e: unknown): string {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    return `${typeof code === 'string' ? `[${code}] ` : ''}${e.message}`;
  }
  return typeof e === 'string' ? e : (JSON.stringify(e) ?? String(e));
}
