// Remembers the column roles a user applied, per column layout, so the next file exported from
// the same system is read the same way without asking again.
import type { RoleMapping } from '../../pipeline/types';

const STORAGE_KEY = 'seqlens.mappings.v1';

export function loadSavedMappings(): Record<string, RoleMapping> {
  try {
    const raw = localStorage.getItem(STORAGE_KEY);
    const parsed: unknown = raw ? JSON.parse(raw) : {};
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, RoleMapping>) : {};
  } catch {
    // Storage can be disabled or full; remembering is a convenience, not a requirement.
    return {};
  }
}

export function saveMapping(layoutKey: string, mapping: RoleMapping): void {
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify({ ...loadSavedMappings(), [layoutKey]: mapping }));
  } catch {
    // See loadSavedMappings.
  }
}
