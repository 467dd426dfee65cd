// Ranking metrics at a cut-off k, for one user; the evaluation averages them over users.
//   Recall@k = |relevant in the top k| / |relevant|
//   NDCG@k   = DCG / IDCG, DCG = sum over hits at 1-based rank r <= k of 1 / log2(r + 1), and IDCG
//              the DCG of a ranking with every relevant item first (min(k, |relevant|) of them).
// Binary relevance; an empty relevant set scores 0 (such users are not tested anyway).

/** `relevant` ascending (binary search). */
function isIn(sorted: ArrayLike<number>, x: number): boolean {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = sorted[mid];
    if (v === x) return true;
    if (v < x) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

export function recallAtK(ranked: ArrayLike<number>, relevant: ArrayLike<number>, k: number): number {
  if (relevant.length === 0) return 0;
  let hits = 0;
  for (let r = 0; r < Math.min(k, ranked.length); r++) if (isIn(relevant, ranked[r])) hits++;
  return hits / relevant.length;
}

export function ndcgAtK(ranked: ArrayLike<number>, relevant: ArrayLike<number>, k: number): number {
  if (relevant.length === 0) return 0;
  let dcg = 0;
  for (let r = 0; r < Math.min(k, ranked.length); r++) if (isIn(relevant, ranked[r])) dcg += 1 / Math.log2(r + 2);
  let idcg = 0;
  for (let r = 0; r < Math.min(k, relevant.length); r++) idcg += 1 / Math.log2(r + 2);
  return dcg / idcg;
}
