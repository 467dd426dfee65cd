// Where the runner keeps the results of its slow stages (behaviour BERT, graph network, K sweep, map) between
// sessions: each under a key that hashes its input and every setting it depends on, so a changed
// setting is a different key and a stale result is never served. The browser injects its
// IndexedDB store (src/worker/analysisStore.ts); the CLI keeps nothing (noResultStore).

/** The stages whose results are kept. */
export type Stage = 'encode' | 'gcn' | 'sweep' | 'map';

export interface ResultStore {
  /** The value saved under `key`, or null (never saved, or unreadable: computed afresh). */
  get<T>(key: string): Promise<T | null>;
  /** Saves `value` for the saved analysis `analysis`; resolves to why it could not be saved, or null. */
  put(key: string, stage: Stage, analysis: string, value: unknown): Promise<string | null>;
}

/** Keeps nothing: every stage computes. */
export const noResultStore: ResultStore = {
  get: async () => null,
  put: async () => null,
};

/** SHA-256 (hex) of the parts as JSON with object keys sorted: equal settings give equal keys. */
export async function stableKey(...parts: unknown[]): Promise<string> {
  const text = JSON.stringify(parts, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) && !ArrayBuffer.isView(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
  return hex(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
}

function hex(buf: ArrayBuffer): string {
  return Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, '0')).join('');
}
