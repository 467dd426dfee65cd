// What the page's parts see of kiosk mode: null outside it, so `useKiosk()` is the one check.
import { createContext, useContext } from 'react';
import type { KioskConfig } from './config';

export interface KioskApi {
  config: KioskConfig;
  /** Counts from 1; each new cycle remounts the app and runs the analysis from the start. */
  cycle: number;
  /** Starts the next cycle (the tour is over, or the screen was left idle). */
  newCycle(reason: string): void;
  /** Something went wrong in `stage`: logged, the worker restarted, and a new cycle started. */
  fail(stage: string, error: unknown): void;
  /** The tour is on screen: the cycle's watchdog stops and the count of failures in a row is reset. */
  healthy(): void;
  log(event: string, message: string): void;
}

export const KioskContext = createContext<KioskApi | null>(null);

export function useKiosk(): KioskApi | null {
  return useContext(KioskContext);
}
