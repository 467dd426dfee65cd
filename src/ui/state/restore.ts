// Turning a parsed state file back into settings the hooks accept. The file is the user's (maybe
// edited by hand, maybe from another version): every value is checked against what the current
// settings hold, and anything of the wrong kind is left as it is on screen, with a note.
import type { SequenceOptions } from '../../pipeline/types';
import type { ClusterSettings } from '../clusters/clusterSettings';
import type { EncoderSettings } from '../encoder/encoderSettings';
import type { GcnSettings } from '../gcn/gcnSettings';

/** The keys of `current` whose value in `saved` has the same type (numbers finite, objects one level deep). */
export function pickLike<T extends object>(current: T, saved: Record<string, unknown>, where: string, notes: string[]): Partial<T> {
  const out: Partial<T> = {};
  for (const key of Object.keys(current) as (keyof T & string)[]) {
    if (!(key in saved)) continue;
    const want = current[key];
    const got = saved[key];
    if (sameKind(want, got)) {
      out[key] = (
        isPlainObject(want) ? { ...(want as object), ...pickLike(want as object, got as Record<string, unknown>, `${where}.${key}`, notes) } : got
      ) as T[typeof key];
    } else {
      notes.push(`${where}.${key} was not used: expected ${kindOf(want)}, found ${kindOf(got)}.`);
    }
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function sameKind(want: unknown, got: unknown): boolean {
  // A nullable string (the encoder's model: null = the default) takes either.
  if (want === null || got === null) return (want === null || typeof want === 'string') && (got === null || typeof got === 'string');
  if (typeof want === 'number') return typeof got === 'number' && Number.isFinite(got);
  if (isPlainObject(want)) return isPlainObject(got);
  return typeof want === typeof got;
}

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'number') return Number.isFinite(v) ? 'a number' : 'a non-finite number';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

export interface RestorableSettings {
  sequence: SequenceOptions;
  encoder: EncoderSettings;
  gcn: GcnSettings;
  cluster: ClusterSettings;
}

/** The saved settings merged over the current ones, with notes on what could not be used. */
export function restoredSettings(
  current: RestorableSettings,
  saved: { sequence: Record<string, unknown>; encoder: Record<string, unknown>; gcn: Record<string, unknown>; cluster: Record<string, unknown> },
): { settings: RestorableSettings; notes: string[] } {
  const notes: string[] = [];
  const settings: RestorableSettings = {
    sequence: { ...current.sequence, ...pickLike(current.sequence, saved.sequence, 'sequence', notes) },
    encoder: { ...current.encoder, ...pickLike(current.encoder, saved.encoder, 'encoder', notes) },
    gcn: { ...current.gcn, ...pickLike(current.gcn, saved.gcn, 'gcn', notes) },
    cluster: { ...current.cluster, ...pickLike(current.cluster, saved.cluster, 'cluster', notes) },
  };
  if (settings.sequence.by !== 'user' && settings.sequence.by !== 'session') {
    notes.push(`sequence.by was not used: "${String(settings.sequence.by)}" is neither user nor session.`);
    settings.sequence.by = current.sequence.by;
  }
  return { settings, notes };
}

/** Point indices of the saved user ids that are on the map, and how many were not found. */
export function selectionFromIds(ids: readonly string[], saved: readonly string[]): { selection: Int32Array; missing: number } {
  const at = new Map<string, number>();
  for (let i = 0; i < ids.length; i++) if (!at.has(ids[i])) at.set(ids[i], i);
  const out: number[] = [];
  let missing = 0;
  for (const id of saved) {
    const i = at.get(id);
    if (i === undefined) missing++;
    else out.push(i);
  }
  return { selection: Int32Array.from(out).sort(), missing };
}
