// The K sweep's settings: the K range and where the assignment step runs. Remembered in
// localStorage, and overridable from the URL for tests and links: ?sweep=2..6&cluster-device=cpu.
// The URL alone can also say whether the sweep may use helper threads (?sweep-threads=on|off):
// a diagnostic, since the results are the same either way.
import type { ClusterDevice, SweepThreadsMode } from '../../worker/protocol';

export interface ClusterSettings {
  kMin: number;
  kMax: number;
  device: ClusterDevice;
  /** From the URL only; absent means 'auto'. */
  threads?: SweepThreadsMode;
}

/** Mirrors CLUSTER_K_LIMIT of the worker (not imported, to keep the clustering code out of the page bundle). */
export const K_LIMIT = 40;
export const DEFAULT_CLUSTER_SETTINGS: ClusterSettings = { kMin: 2, kMax: 15, device: 'auto' };

const STORAGE_KEY = 'seqlens.clusters.v1';

function device(v: unknown): ClusterDevice | null {
  return v === 'auto' || v === 'cpu' || v === 'gpu' ? v : null;
}

function validRange(kMin: unknown, kMax: unknown): kMin is number {
  return Number.isInteger(kMin) && Number.isInteger(kMax) && (kMin as number) >= 2 && (kMax as number) >= (kMin as number) && (kMax as number) <= K_LIMIT;
}

export function clusterUrlOverrides(search: string = typeof location === 'undefined' ? '' : location.search): Partial<ClusterSettings> {
  const params = new URLSearchParams(search);
  const out: Partial<ClusterSettings> = {};
  const d = device(params.get('cluster-device'));
  if (d) out.device = d;
  const t = params.get('sweep-threads');
  if (t === 'auto' || t === 'on' || t === 'off') out.threads = t;
  const m = /^(\d+)\.\.(\d+)$/.exec(params.get('sweep') ?? '');
  if (m && validRange(Number(m[1]), Number(m[2]))) {
    out.kMin = Number(m[1]);
    out.kMax = Number(m[2]);
  }
  return out;
}

export function loadClusterSettings(): ClusterSettings {
  let saved: Partial<ClusterSettings> = {};
  try {
    const raw = localStorage.getItem(STORAGE_KEY);
    saved = raw ? (JSON.parse(raw) as Partial<ClusterSettings>) : {};
  } catch {
    saved = {};
  }
  const s = { ...DEFAULT_CLUSTER_SETTINGS };
  if (validRange(saved.kMin, saved.kMax)) {
    s.kMin = saved.kMin as number;
    s.kMax = saved.kMax as number;
  }
  s.device = device(saved.device) ?? s.device;
  return { ...s, ...clusterUrlOverrides() };
}

export function saveClusterSettings(s: ClusterSettings): void {
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(s));
  } catch {
    // Remembering is a convenience.
  }
}

export function clusterSettingsKey(s: ClusterSettings): string {
  return `${s.kMin}..${s.kMax}|${s.device}`;
}
