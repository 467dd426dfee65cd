// Short automatic names for clusters: the behaviour that sets them apart (how often, how recently,
// basket size, spend, time between orders, returns, funnel step), then what they shop for (a
// category or title words with lift). Built from the profile numbers alone, so the same clusters
// always get the same names; unique across clusters, and never a word that every cluster shares.

import type { ScoredTerm } from './terms';
import { distinctive } from './traits';
import type { GroupStats, Trait } from './types';

export const MAX_LABEL = 48;

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

/** Share of everybody who bought above which buying names no cluster (an invoice log: everyone buys). */
const ALL_BUY = 0.9;

/** A word that can name a cluster, and how far its cluster is from everybody (|log ratio|). */
interface Word {
  word: string;
  score: number;
}

/**
 * The behaviour words of a cluster, most distinctive first: its traits (traits.ts) far enough from
 * everybody's, and the funnel step it over- or under-does (never "Buyers" where everybody buys).
 */
export function behaviourWords(g: GroupStats & { traits?: readonly Trait[] }, overall: GroupStats): Word[] {
  const out: Word[] = [];
  for (const t of g.traits ?? []) if (distinctive(t)) out.push({ word: t.word, score: Math.abs(Math.log(t.ratio)) });
  const o = overall.funnel;
  const f = g.funnel;
  const lift = (x: number, all: number): number => (g.size > 0 && all > 0 ? x / g.size / (all / overall.size) : 0);
  const returns = lift(f.returners, o.returners);
  if (f.returners / Math.max(1, g.size) >= RETURN_SHARE && returns >= RETURN_LIFT) out.push({ word: 'Returners', score: Math.log(returns) });
  if (overall.size > 0 && o.buyers / overall.size < ALL_BUY && (o.buyers > 0 || o.carters > 0)) {
    const stage = stageWord(g, overall);
    const buy = lift(f.buyers, o.buyers);
    const cart = lift(f.carters, o.carters);
    const score =
      stage === 'Buyers'
        ? Math.log(Math.max(buy, 1e-9))
        : stage === 'Carters'
          ? Math.log(Math.max(cart, 1e-9))
          : stage === 'Browsers'
            ? -Math.log(Math.max(buy || cart, 0.01))
            : 0;
    if (stage !== 'Returners' && score >= Math.log(STAGE_LIFT)) out.push({ word: stage, score });
  }
  return out.sort((a, b) => b.score - a.score || (a.word < b.word ? -1 : 1));
}

/** What a cluster shops for: its most over-represented category, and title words that most clusters do not share. */
interface Topic {
  category: string | null;
  terms: string[];
}

function topicOf(g: GroupStats, terms: readonly ScoredTerm[], common: ReadonlySet<string>, used: string): Topic {
  let best: { name: string; lift: number } | null = null;
  for (const c of g.topCategories) if (c.lift >= CATEGORY_LIFT && (!best || c.lift > best.lift)) best = c;
  const category = best ? clip(shortCategory(best.name), 18) : null;
  const out: string[] = [];
  const seen = `${used} ${category ?? ''}`.toLowerCase();
  for (const t of terms) {
    if (out.length === 2) break;
    // A term that only repeats the category, or one that most clusters share, adds nothing.
    if (seen.includes(t.term) || common.has(t.term)) continue;
    out.push(t.term);
  }
  return { category, terms: out };
}

/** "Frequent, big baskets · kettle · steel, glass": behaviour words, the category, title words. */
function compose(words: readonly string[], topic: Topic): string {
  const parts: string[] = [];
  if (words.length > 0) parts.push(words.map((w, i) => (i === 0 ? w : w.charAt(0).toLowerCase() + w.slice(1))).join(', '));
  if (topic.category) parts.push(topic.category);
  if (topic.terms.length > 0) parts.push(topic.terms.join(', '));
  const label = parts.join(' · ');
  return label.charAt(0).toUpperCase() + label.slice(1);
}

const isEmpty = (t: Topic): boolean => t.category === null && t.terms.length === 0;

function fit(words: readonly string[], topic: Topic): string {
  // Drop title words, then behaviour words beyond the first, until the label fits.
  const t: Topic = { category: topic.category, terms: [...topic.terms] };
  let w = [...words];
  let label = compose(w, t);
  while (Array.from(label).length > MAX_LABEL && t.terms.length > (w.length > 0 || t.category ? 0 : 1)) {
    t.terms.pop();
    label = compose(w, t);
  }
  while (Array.from(label).length > MAX_LABEL && w.length > 1) {
    w = w.slice(0, -1);
    label = compose(w, t);
  }
  return clip(label, MAX_LABEL);
}

/**
 * Labels of all clusters, each from what sets it apart: up to two behaviour words (most
 * distinctive first), then its category or title words that most clusters do not share. Labels
 * that would be equal take one more word each; a first word that every cluster would share is
 * left out (it tells no cluster apart); the cluster number is the last resort (distinctLabels).
 */
export function clusterLabels(clusters: readonly (GroupStats & { terms: readonly ScoredTerm[]; traits?: readonly Trait[] })[], overall: GroupStats): string[] {
  const k = clusters.length;
  // Title words in the top three of more than half of the clusters name none of them; the others
  // name only the cluster where they score highest ("set" in four labels tells none apart).
  const seen = new Map<string, number>();
  const owner = new Map<string, { c: number; score: number }>();
  clusters.forEach((g, c) => {
    for (const t of g.terms) {
      const o = owner.get(t.term);
      if (!o || t.score > o.score) owner.set(t.term, { c, score: t.score });
    }
    for (const t of g.terms.slice(0, 3)) seen.set(t.term, (seen.get(t.term) ?? 0) + 1);
  });
  const common = new Set(k >= 3 ? [...seen].filter(([, n]) => n > k / 2).map(([t]) => t) : []);
  const words = clusters.map((g) => behaviourWords(g, overall).map((w) => w.word));
  const topics = clusters.map((g, c) =>
    topicOf(
      g,
      g.terms.filter((t) => owner.get(t.term)?.c === c),
      common,
      words[c].join(' '),
    ),
  );
  const take = new Array<number>(k).fill(2);
  const make = (c: number): string => {
    const g = clusters[c];
    if (g.size === 0) return 'Empty';
    const w = words[c].slice(0, take[c]);
    if (w.length === 0 && isEmpty(topics[c])) {
      const it = g.topItems[0];
      return clip(it ? `Typical · ${it.title || it.id}` : 'Typical', MAX_LABEL);
    }
    return fit(w, topics[c]);
  };
  let labels = clusters.map((_g, c) => make(c));
  // Equal labels: each takes its next behaviour word, while one is left.
  for (let round = 0; round < 3; round++) {
    const count = new Map<string, number>();
    for (const l of labels) count.set(l, (count.get(l) ?? 0) + 1);
    let changed = false;
    labels = labels.map((l, c) => {
      if ((count.get(l) ?? 0) < 2 || take[c] >= words[c].length) return l;
      take[c]++;
      changed = true;
      return make(c);
    });
    if (!changed) break;
  }
  // A first word that every cluster shares tells none apart.
  if (k >= 2) {
    const firstOf = (l: string): string => l.split(/, | · /)[0];
    const first = firstOf(labels[0]);
    if (labels.every((l) => firstOf(l) === first && l.length > first.length)) {
      labels = labels.map((l) => {
        const rest = l.slice(first.length).replace(/^(, | · )/, '');
        return rest.charAt(0).toUpperCase() + rest.slice(1);
      });
    }
  }
  return distinctLabels(labels);
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
