// The page's own stores: settings in localStorage and the tab's sessionStorage (the worker cannot
// reach either). Every key of this origin that starts with 'seqlens' is SeqLens's.

export type PageStorageKind = 'local' | 'session';

export interface PageStoredItem {
  /** 'local:<key>' or 'session:<key>'. */
  id: string;
  kind: PageStorageKind;
  label: string;
  where: string;
  items: number;
  /** UTF-16 code units of key and value, times 2: what the browser counts against the quota. */
  bytes: number;
}

const LABELS: Record<string, string> = {
  'seqlens.encoder.v1': 'Encoder settings',
  'seqlens.clusters.v1': 'Cluster settings',
  'seqlens.gcn.v1': 'Graph network settings',
  'seqlens.mappings.v1': 'Column roles you chose',
  'seqlens.open.v1': 'Log to reopen on reload (this tab)',
};

const PREFIX = 'seqlens';

function area(kind: PageStorageKind): Storage | null {
  try {
    return kind === 'local' ? window.localStorage : window.sessionStorage;
  } catch {
    // Storage switched off (some private modes throw on access).
    return null;
  }
}

export function pageStoredItems(): PageStoredItem[] {
  const out: PageStoredItem[] = [];
  for (const kind of ['local', 'session'] as const) {
    const s = area(kind);
    if (!s) continue;
    for (let i = 0; i < s.length; i++) {
      const key = s.key(i);
      if (key === null || !key.startsWith(PREFIX)) continue;
      const value = s.getItem(key) ?? '';
      out.push({
        id: `${kind}:${key}`,
        kind,
        label: LABELS[key] ?? key,
        where: `${kind === 'local' ? 'localStorage' : 'sessionStorage'} ${key}`,
        items: 1,
        bytes: 2 * (key.length + value.length),
      });
    }
  }
  return out.sort((a, b) => a.id.localeCompare(b.id));
}

/** Removes the given page items ('local:…' / 'session:…' ids); other ids are ignored. */
export function wipePageItems(ids: readonly string[]): void {
  for (const id of ids) {
    const colon = id.indexOf(':');
    const kind = id.slice(0, colon);
    if (kind !== 'local' && kind !== 'session') continue;
    area(kind)?.removeItem(id.slice(colon + 1));
  }
}

export function isPageItem(id: string): boolean {
  return id.startsWith('local:') || id.startsWith('session:');
}
