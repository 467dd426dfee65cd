// Short automatic names for clusters: what stage of the funnel sets them apart, then what they
// shop for. Built from the profile numbers alone, so the same clusters always get the same names.

import type { GroupStats } from './types';
import type { ScoredTerm } from './terms';

export const MAX_LABEL = 40;

/** The group of customers under the minimum history (cluster -1 in the exports). */
export const TOO_LITTLE_HISTORY_LABEL = 'Too little history yet';
/** Their cluster number in the exports. */
export const TOO_LITTLE_HISTORY_CLUSTER = -1;

// How much more (or less) common than overall a funnel step must be before it names a cluster.
const STAGE_LIFT = 1.25;
const RETURN_LIFT = 1.5;
/** Returners also need this share of the cluster: 3 returners in 100 is no "Returners" cluster. */
const RETURN_SHARE = 0.1;
const LOW_LIFT = 0.8;
/** A top category names the cluster only when it is at least this much more common than overall. */
const CATEGORY_LIFT = 1.1;

/** Funnel word of a group relative to everybody: Returners, Buyers, Carters or Browsers. */
export function stageWord(g: GroupStats, overall: GroupStats): string {
  const f = g.funnel;
  const o = overall.funnel;
  const lift = (x: number, all: number): number => (g.size > 0 && all > 0 ? x / g.size / (all / overall.size) : 0);
  if (f.returners / Math.max(1, g.size) >= RETURN_SHARE && lift(f.returners, o.returners) >= RETURN_LIFT) return 'Returners';
  const buy = lift(f.buyers, o.buyers);
  const cart = lift(f.carters, o.carters);
  if (buy >= STAGE_LIFT) return 'Buyers';
  if (cart >= STAGE_LIFT) return 'Carters';
  // Less buying and carting than elsewhere: the cluster mostly looks (only if anyone bought or carted).
  if ((o.buyers > 0 || o.carters > 0) && (o.buyers === 0 || buy < LOW_LIFT) && (o.carters === 0 || cart < LOW_LIFT)) return 'Browsers';
  // Nothing stands out: say what most of the cluster did.
  if (f.buyers * 2 >= g.size && f.buyers > 0) return 'Buyers';
  if (f.carters * 2 >= g.size && f.carters > 0) return 'Carters';
  return 'Browsers';
}

/** The readable end of a category path ("appliances.kitchen.kettle" -> "kettle"). */
export function shortCategory(name: string): string {
  const parts = name.split(/\s*[./>|\\]\s*/).filter((p) => p !== '');
  return parts.length > 0 ? parts[parts.length - 1] : name;
}

function clip(s: string, max: number): string {
  const chars = Array.from(s);
  return chars.length <= max
    ? s
    : `${chars
        .slice(0, max - 1)
        .join('')
        .trimEnd()}…`;
}

/** "Buyers · kettle · tea, steel": stage, the top category that is most over-represented, the best terms. */
export function clusterLabel(g: GroupStats, overall: GroupStats, terms: readonly ScoredTerm[]): string {
  if (g.size === 0) return 'Empty';
  const parts = [stageWord(g, overall)];
  let best: { name: string; lift: number } | null = null;
  for (const c of g.topCategories) if (c.lift >= CATEGORY_LIFT && (!best || c.lift > best.lift)) best = c;
  let label = parts[0];
  if (best) label += ` · ${clip(shortCategory(best.name), 18)}`;
  const used = label.toLowerCase();
  const words: string[] = [];
  for (const t of terms) {
    if (words.length === 2) break;
    // A term that only repeats the category adds nothing.
    if (used.includes(t.term)) continue;
    const next = `${label} · ${[...words, t.term].join(', ')}`;
    if (Array.from(next).length > MAX_LABEL && words.length > 0) break;
    words.push(t.term);
  }
  if (words.length > 0) label += ` · ${words.join(', ')}`;
  else if (!best && g.topItems.length > 0) {
    // No categories and no title words: the most shared item says the most.
    const it = g.topItems[0];
    label += ` · ${it.title || it.id}`;
  }
  return clip(label, MAX_LABEL);
}

/** Labels made distinct: clusters that would share one get their number appended ("Buyers · tea #3"). */
export function distinctLabels(labels: string[]): string[] {
  const seen = new Map<string, number>();
  for (const l of labels) seen.set(l, (seen.get(l) ?? 0) + 1);
  const out = labels.map((l, c) => {
    if ((seen.get(l) ?? 0) < 2) return l;
    const suffix = ` #${c}`;
    return clip(l, MAX_LABEL - suffix.length) + suffix;
  });
  // A clipped base could in principle still meet another label; the cluster number alone cannot.
  return new Set(out).size === out.length ? out : out.map((l, c) => `${clip(l, MAX_LABEL - 12)} · cluster ${c}`);
}
