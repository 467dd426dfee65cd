// Whether an opened log may be copied into the browser's storage (so that a reload reopens it):
// asked the first time, or always / never once the user says so. Remembered in localStorage; the
// prompt and the privacy panel read it through useKeepLogs, so a change in one shows in the other.
import { useSyncExternalStore } from 'react';

export type KeepLogs = 'ask' | 'always' | 'never';

export const KEEP_LOGS_KEY = 'seqlens.keepLogs';

const listeners = new Set<() => void>();

export function loadKeepLogs(): KeepLogs {
  try {
    const v = localStorage.getItem(KEEP_LOGS_KEY);
    return v === 'always' || v === 'never' ? v : 'ask';
  } catch {
    return 'ask';
  }
}

export function saveKeepLogs(v: KeepLogs): void {
  try {
    if (v === 'ask') localStorage.removeItem(KEEP_LOGS_KEY);
    else localStorage.setItem(KEEP_LOGS_KEY, v);
  } catch {
    // Storage off: asked again next time.
  }
  for (const l of listeners) l();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The setting, kept current across the components that show it. */
export function useKeepLogs(): KeepLogs {
  return useSyncExternalStore(subscribe, loadKeepLogs, () => 'ask');
}
