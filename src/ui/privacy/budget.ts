// The privacy budget as people read it. Noised exports of one log compose sequentially: k exports
// with epsilons e1..ek are together (e1 + ... + ek)-differentially private, so the app keeps their
// running total per log (worker/storage.ts) and shows it here and after each noised export.

/** An epsilon total without float noise (0.1 + 0.2 shows as 0.3). */
export function formatEpsilon(x: number): string {
  return String(Number(x.toPrecision(6)));
}
