// Words of item titles, for the clusters' distinctive terms. Titles are short product names in any
// language, so the tokeniser is deliberately plain: Unicode letter/digit runs, lower-cased, with a
// small English stop-word list. Chinese, Japanese and Korean are not written with spaces between
// words, so their runs become overlapping character bigrams (the usual unsupervised stand-in for a
// word segmenter: "无线耳机" gives 无线, 线耳, 耳机, and the real words win on frequency).

import type { EventTable } from '../ingest/table';

/** Function words that say nothing about what a cluster bought. */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'a an and are as at be but by for from has have in into is it its of on or the this that to with without ' +
    'your you our we my me all any not no new de la le les el los las und der die das'
  ).split(' '),
);

const CJK_CHAR = '\\p{sc=Han}\\p{sc=Hiragana}\\p{sc=Katakana}\\p{sc=Hangul}\\u30fc';
// A CJK run, or a run of other letters/digits (marks kept, so accented and Indic words stay whole).
const TOKEN_RE = new RegExp(`[${CJK_CHAR}]+|(?:(?![${CJK_CHAR}])[\\p{L}\\p{M}\\p{N}])+`, 'gu');
const CJK_RE = new RegExp(`^[${CJK_CHAR}]`, 'u');
const NUMBER_RE = /^\p{N}+$/u;

/** The terms of one text, in order, repeats kept (term frequency counts each occurrence). */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  // NFKC folds full-width Latin ("ＵＳＢ") and compatibility forms into their plain letters.
  const norm = text.normalize('NFKC').toLowerCase();
  for (const m of norm.matchAll(TOKEN_RE)) {
    const run = m[0];
    if (CJK_RE.test(run)) {
      const chars = Array.from(run);
      // A lone CJK character is usually a word on its own (鞋 "shoe"), so it is kept.
      if (chars.length === 1) out.push(run);
      for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i] + chars[i + 1]);
    } else if (run.length >= 2 && !NUMBER_RE.test(run) && !STOP_WORDS.has(run)) {
      out.push(run);
    }
  }
  return out;
}

/** Where terms come from: item titles, or (a log without titles) category and brand names. */
export type TermSource = 'titles' | 'categories' | null;

/** Every item's terms as CSR over a vocabulary: item i has tokens[start[i] .. start[i+1]). */
export interface ItemTerms {
  source: TermSource;
  vocab: string[];
  start: Int32Array;
  tokens: Int32Array;
}

// Item texts never change for a table, and each K's profile needs them: tokenise once per table.
const cache = new WeakMap<EventTable, ItemTerms>();

export function itemTerms(table: EventTable): ItemTerms {
  let t = cache.get(table);
  if (!t) {
    t = buildItemTerms(table);
    cache.set(table, t);
  }
  return t;
}

function buildItemTerms(table: EventTable): ItemTerms {
  const m = table.items.length;
  let hasTitles = false;
  for (let i = 0; i < m && !hasTitles; i++) hasTitles = table.itemTitle[i] !== '';
  const hasNames = table.categories.length > 0 || table.brands.length > 0;
  const source: TermSource = hasTitles ? 'titles' : hasNames ? 'categories' : null;

  const vocab: string[] = [];
  const ids = new Map<string, number>();
  const start = new Int32Array(m + 1);
  let tokens = new Int32Array(Math.max(16, m * 4));
  let n = 0;
  // Many items share a title (sizes, colours), and logs without titles share category names.
  const byText = new Map<string, Int32Array>();
  for (let i = 0; i < m; i++) {
    start[i] = n;
    let text = '';
    if (source === 'titles') text = table.itemTitle[i];
    else if (source === 'categories') {
      const c = table.itemCategory[i];
      const b = table.itemBrand[i];
      text = `${c >= 0 ? table.categories[c] : ''} ${b >= 0 ? table.brands[b] : ''}`;
    }
    if (text.trim() === '') continue;
    let toks = byText.get(text);
    if (!toks) {
      const words = tokenize(text);
      toks = new Int32Array(words.length);
      for (let j = 0; j < words.length; j++) {
        let id = ids.get(words[j]);
        if (id === undefined) {
          id = vocab.length;
          vocab.push(words[j]);
          ids.set(words[j], id);
        }
        toks[j] = id;
      }
      byText.set(text, toks);
    }
    if (n + toks.length > tokens.length) {
      const next = new Int32Array(Math.max(tokens.length * 2, n + toks.length));
      next.set(tokens.subarray(0, n));
      tokens = next;
    }
    tokens.set(toks, n);
    n += toks.length;
  }
  start[m] = n;
  return { source, vocab, start, tokens: tokens.slice(0, n) };
}
