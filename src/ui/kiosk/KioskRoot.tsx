// The kiosk's supervisor, above the app: it owns the cycle (each one remounts the app with a new
// key, so every hook starts clean and the analysis runs from the start), and turns every kind of
// failure (a stage's error, a worker crash, an error or rejection nobody caught, a render error, a
// cycle stuck past its time) into: log it, restart the worker, start the next cycle. Failures in a
// row back off, so a fault that repeats cannot spin the machine.
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { AnalysisClient } from '../../worker/client';
import type { KioskConfig } from './config';
import { KioskContext, type KioskApi } from './context';
import { ErrorBoundary, RestartCard } from './ErrorBoundary';
import { appendKioskLog, describeError, readKioskLog, type KioskLogEntry } from './log';
import { restartDelayMs } from './tour';

/** What tests (and a curious operator at the console) can reach in kiosk mode. */
export interface KioskHooks {
  /** Kills the analysis worker as a crash would. */
  crashWorker(): void;
  /** Makes the app throw while rendering (to see the error boundary recover). */
  breakRender(): void;
  cycle(): number;
  restarts(): number;
  log(): KioskLogEntry[];
}

declare global {
  interface Window {
    __seqlensKiosk?: KioskHooks;
  }
}

/** Messages of window errors that are noise, not failures (Chromium's benign ResizeObserver note). */
const BENIGN = /ResizeObserver loop/;

function Bomb(): ReactNode {
  throw new Error('Render error requested through __seqlensKiosk.breakRender()');
}

export function KioskRoot({ config, client, children }: { config: KioskConfig; client: AnalysisClient; children: ReactNode }) {
  const [cycle, setCycle] = useState(1);
  const [recovering, setRecovering] = useState(false);
  const [broken, setBroken] = useState(false);
  const state = useRef({ cycle: 1, touredCycle: 0, pending: false, failuresInARow: 0, restarts: 0, timer: 0 as ReturnType<typeof setTimeout> | 0 });

  const log = useCallback((event: string, message: string, level: 'info' | 'error' = 'info') => {
    appendKioskLog({ level, event, message, cycle: state.current.cycle });
  }, []);

  const begin = useCallback((delayMs: number) => {
    const s = state.current;
    if (s.pending) return;
    s.pending = true;
    s.timer = setTimeout(() => {
      s.pending = false;
      s.cycle += 1;
      setBroken(false);
      setRecovering(false);
      setCycle(s.cycle);
    }, delayMs);
  }, []);

  const newCycle = useCallback(
    (reason: string) => {
      if (state.current.pending) return;
      log('cycle', `Cycle ${state.current.cycle} over (${reason}); starting the next.`);
      // Every cycle gets a fresh worker too: whatever the last one held (its heap, and on this side
      // the progress callbacks it had not released yet) goes with it, so nothing can pile up over
      // a day of cycles.
      client.restart();
      begin(0);
    },
    [begin, client, log],
  );

  const fail = useCallback(
    (stage: string, error: unknown) => {
      const s = state.current;
      if (s.pending) return;
      s.failuresInARow += 1;
      s.restarts += 1;
      const delay = restartDelayMs(s.failuresInARow);
      log(stage, `${describeError(error)} — restarting the worker and the cycle${delay ? ` in ${Math.round(delay / 1000)} s` : ''}.`, 'error');
      setRecovering(true);
      try {
        client.restart();
      } catch (e) {
        log('restart', describeError(e), 'error');
      }
      begin(delay);
    },
    [begin, client, log],
  );

  const healthy = useCallback(() => {
    state.current.failuresInARow = 0;
    state.current.touredCycle = state.current.cycle;
  }, []);

  // Whatever escapes the app's own handling.
  useEffect(() => {
    const onError = (event: ErrorEvent) => {
      if (BENIGN.test(event.message)) return;
      event.preventDefault();
      fail('window-error', event.error ?? event.message);
    };
    const onRejection = (event: PromiseRejectionEvent) => {
      event.preventDefault();
      fail('unhandled-rejection', event.reason);
    };
    window.addEventListener('error', onError);
    window.addEventListener('unhandledrejection', onRejection);
    const offCrash = client.onCrash((e) => fail('worker-crash', e));
    return () => {
      window.removeEventListener('error', onError);
      window.removeEventListener('unhandledrejection', onRejection);
      offCrash();
    };
  }, [client, fail]);

  // The watchdog: a cycle that has not reached its tour in time is stuck somewhere (a hung stage).
  useEffect(() => {
    const s = state.current;
    const startedAt = Date.now();
    const check = setInterval(() => {
      if (s.touredCycle === cycle) return clearInterval(check);
      if (Date.now() - startedAt > config.loadTimeoutSeconds * 1000) {
        clearInterval(check);
        fail('watchdog', new Error(`Cycle ${cycle} did not reach its tour within ${config.loadTimeoutSeconds} s.`));
      }
    }, 1000);
    return () => clearInterval(check);
  }, [cycle, config.loadTimeoutSeconds, fail]);

  useEffect(() => {
    log('start', `Cycle ${cycle} started.`);
  }, [cycle, log]);

  useEffect(() => {
    const s = state.current;
    document.documentElement.classList.add('kiosk');
    window.__seqlensKiosk = {
      crashWorker: () => client.simulateCrash('killed through __seqlensKiosk.crashWorker()'),
      breakRender: () => setBroken(true),
      cycle: () => s.cycle,
      restarts: () => s.restarts,
      log: () => readKioskLog(),
    };
    return () => {
      document.documentElement.classList.remove('kiosk');
      delete window.__seqlensKiosk;
      if (s.timer) clearTimeout(s.timer);
    };
  }, [client]);

  const api = useMemo<KioskApi>(
    () => ({ config, cycle, newCycle, fail, healthy, log: (event, message) => log(event, message) }),
    [config, cycle, newCycle, fail, healthy, log],
  );

  return (
    <KioskContext.Provider value={api}>
      <div className="kiosk-root" data-testid="kiosk-root" data-cycle={cycle} data-recovering={recovering ? 'true' : 'false'}>
        {recovering ? (
          <RestartCard />
        ) : (
          <ErrorBoundary key={cycle} recovering onError={(e) => fail('render', e)}>
            {broken && <Bomb />}
            {children}
          </ErrorBoundary>
        )}
      </div>
    </KioskContext.Provider>
  );
}
