// The graph network's settings: on/off, the epoch cap and the graph's edge kinds and weights.
// Remembered in localStorage, and overridable from the URL for tests and links: ?gcn=off,
// ?gcn-epochs=5, ?gcn-early-stop=off.
import { DEFAULT_GCN_OPTIONS } from '../../pipeline/gcn/options';
import { DEFAULT_GRAPH_OPTIONS } from '../../pipeline/graph/options';
import type { GcnRequest } from '../../worker/protocol';

export interface GcnSettings {
  enabled: boolean;
  epochs: number;
  earlyStopping: boolean;
  /** Where the propagation runs: 'auto' = WebGPU on a hardware adapter, else the CPU. */
  device: 'auto' | 'cpu' | 'gpu';
  userItem: boolean;
  transitions: boolean;
  selfLoops: boolean;
  transitionWeight: number;
  halfLifeDays: number;
  transitionMaxGapMinutes: number;
}

/** The stage's own defaults (small constant modules, so importing them costs the page little). */
export const DEFAULT_GCN_SETTINGS: GcnSettings = {
  enabled: true,
  epochs: DEFAULT_GCN_OPTIONS.epochs,
  earlyStopping: DEFAULT_GCN_OPTIONS.earlyStopping !== null,
  device: 'auto',
  userItem: DEFAULT_GRAPH_OPTIONS.userItem,
  transitions: DEFAULT_GRAPH_OPTIONS.transitions,
  selfLoops: DEFAULT_GRAPH_OPTIONS.selfLoops,
  transitionWeight: DEFAULT_GRAPH_OPTIONS.transitionWeight,
  halfLifeDays: DEFAULT_GRAPH_OPTIONS.halfLifeDays,
  transitionMaxGapMinutes: DEFAULT_GRAPH_OPTIONS.transitionMaxGapMinutes,
};

export const GCN_EPOCH_LIMIT = 1000;
const STORAGE_KEY = 'seqlens.gcn.v1';

export function gcnUrlOverrides(search: string = typeof location === 'undefined' ? '' : location.search): Partial<GcnSettings> {
  const params = new URLSearchParams(search);
  const out: Partial<GcnSettings> = {};
  const on = params.get('gcn');
  if (on === 'off' || on === 'on') out.enabled = on === 'on';
  const stop = params.get('gcn-early-stop');
  if (stop === 'off' || stop === 'on') out.earlyStopping = stop === 'on';
  const device = params.get('gcn-device');
  if (device === 'auto' || device === 'cpu' || device === 'gpu') out.device = device;
  const e = params.get('gcn-epochs');
  if (e && /^\d+$/.test(e) && Number(e) >= 1 && Number(e) <= GCN_EPOCH_LIMIT) out.epochs = Number(e);
  return out;
}

export function loadGcnSettings(): GcnSettings {
  const s = { ...DEFAULT_GCN_SETTINGS };
  try {
    const raw = localStorage.getItem(STORAGE_KEY);
    const saved = raw ? (JSON.parse(raw) as Partial<GcnSettings>) : {};
    for (const key of Object.keys(s) as (keyof GcnSettings)[]) {
      const v = saved[key];
      if (typeof v === typeof s[key] && (typeof v !== 'number' || (Number.isFinite(v) && v >= 0))) (s as Record<string, unknown>)[key] = v;
    }
    if (!['auto', 'cpu', 'gpu'].includes(s.device)) s.device = DEFAULT_GCN_SETTINGS.device;
    if (!(Number.isInteger(s.epochs) && s.epochs >= 1 && s.epochs <= GCN_EPOCH_LIMIT)) s.epochs = DEFAULT_GCN_SETTINGS.epochs;
  } catch {
    // Remembering is a convenience.
  }
  return { ...s, ...gcnUrlOverrides() };
}

export function saveGcnSettings(s: GcnSettings): void {
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(s));
  } catch {
    // Remembering is a convenience.
  }
}

export function gcnRequest(s: GcnSettings): GcnRequest {
  return {
    epochs: s.epochs,
    earlyStopping: s.earlyStopping,
    device: s.device,
    graph: {
      userItem: s.userItem,
      transitions: s.transitions,
      selfLoops: s.selfLoops,
      transitionWeight: s.transitionWeight,
      halfLifeDays: s.halfLifeDays,
      transitionMaxGapMinutes: s.transitionMaxGapMinutes,
    },
  };
}

/** What a retraining depends on (the on/off switch is not part of it). */
export function gcnSettingsKey(s: GcnSettings): string {
  return JSON.stringify(gcnRequest(s));
}
