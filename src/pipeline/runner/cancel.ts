// The one place where the runner's AbortSignal meets the stages' CancelToken. Callers cancel with
// an AbortController (the web platform's way); the stages poll `token.cancelled` in their loops
// (a field read is cheaper than a call, and the token is plain data a helper thread can copy).
import type { CancelToken } from '../analyze';

/** A token that turns cancelled when `signal` aborts (at once if it already has). */
export function tokenOf(signal: AbortSignal | undefined): CancelToken {
  const token: CancelToken = { cancelled: signal?.aborted ?? false };
  signal?.addEventListener('abort', () => (token.cancelled = true), { once: true });
  return token;
}

/** Throws `cancelled()` when the signal has aborted: the check after each await of a stage. */
export function throwIfAborted(signal: AbortSignal | undefined, cancelled: () => unknown): void {
  if (signal?.aborted) throw cancelled();
}
