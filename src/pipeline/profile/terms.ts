// Class-based TF-IDF (c-TF-IDF, as BERTopic labels its topics): all events of a cluster form one
// document, the words of the items' titles. A term scores high when it is frequent in the cluster
// relative to the cluster's size and rare across clusters:
//   W(t, c) = tf(t, c) / words(c) * log(1 + A / f(t))
// with A the average number of words per cluster and f(t) the count of t over all clusters.
// Counts are kept sparse (per cluster, only the terms it used), so a big vocabulary costs nothing
// for the clusters that do not touch it.

import type { ItemTerms } from './tokenize';

export interface ScoredTerm {
  term: string;
  score: number;
}

export class ClassTermCounter {
  private readonly count: Float64Array;
  private readonly touched: Int32Array;
  private nTouched = 0;
  private words = 0;
  /** f(t): occurrences of t over all classes. */
  private readonly total: Float64Array;
  private readonly classWords: number[] = [];
  private readonly pairStart: number[] = [0];
  private readonly pairTerm: number[] = [];
  private readonly pairCount: number[] = [];

  constructor(private readonly terms: ItemTerms) {
    const v = terms.vocab.length;
    this.count = new Float64Array(v);
    this.touched = new Int32Array(v);
    this.total = new Float64Array(v);
  }

  /** Adds `events` events on `item` to the current class: each event counts its title's words once each. */
  addItem(item: number, events: number): void {
    const { start, tokens } = this.terms;
    const count = this.count;
    for (let j = start[item], end = start[item + 1]; j < end; j++) {
      const t = tokens[j];
      if (count[t] === 0) this.touched[this.nTouched++] = t;
      count[t] += events;
    }
    this.words += (start[item + 1] - start[item]) * events;
  }

  /** Closes the current class (the next addItem starts the following one). */
  endClass(): void {
    for (let i = 0; i < this.nTouched; i++) {
      const t = this.touched[i];
      this.pairTerm.push(t);
      this.pairCount.push(this.count[t]);
      this.total[t] += this.count[t];
      this.count[t] = 0;
    }
    this.pairStart.push(this.pairTerm.length);
    this.classWords.push(this.words);
    this.nTouched = 0;
    this.words = 0;
  }

  /** The `top` best terms of each closed class, best first (ties by term, alphabetically). */
  scores(top: number): ScoredTerm[][] {
    const classes = this.classWords.length;
    let allWords = 0;
    let nonEmpty = 0;
    for (const w of this.classWords) {
      allWords += w;
      if (w > 0) nonEmpty++;
    }
    // Empty clusters have no words and would only drag the average down.
    const avg = nonEmpty > 0 ? allWords / nonEmpty : 0;
    const vocab = this.terms.vocab;
    const out: ScoredTerm[][] = [];
    for (let c = 0; c < classes; c++) {
      const words = this.classWords[c];
      const list: ScoredTerm[] = [];
      if (top > 0 && words > 0) {
        // Bounded insertion of pair indices: a class can use thousands of terms, we keep ~8.
        const best: number[] = [];
        const bestScore: number[] = [];
        for (let p = this.pairStart[c]; p < this.pairStart[c + 1]; p++) {
          const s = (this.pairCount[p] / words) * Math.log(1 + avg / this.total[this.pairTerm[p]]);
          if (best.length === top && !better(s, vocab[this.pairTerm[p]], bestScore[top - 1], vocab[this.pairTerm[best[top - 1]]])) continue;
          if (best.length === top) {
            best.pop();
            bestScore.pop();
          }
          let j = best.length;
          while (j > 0 && better(s, vocab[this.pairTerm[p]], bestScore[j - 1], vocab[this.pairTerm[best[j - 1]]])) j--;
          best.splice(j, 0, p);
          bestScore.splice(j, 0, s);
        }
        for (let i = 0; i < best.length; i++) list.push({ term: vocab[this.pairTerm[best[i]]], score: bestScore[i] });
      }
      out.push(list);
    }
    return out;
  }
}

/** Higher score first; equal scores by term, alphabetically, so the order never depends on the log's row order. */
function better(s: number, term: string, s2: number, term2: string): boolean {
  return s > s2 || (s === s2 && term < term2);
}
