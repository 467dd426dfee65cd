// The logs kept in this browser, and which one a reload should reopen. The tab's sessionStorage
// remembers the log on screen: a reload (same tab) reopens it from the browser's copy, and its
// saved stage results answer at once; a new tab starts with the demo.
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { AnalysisReport } from '../../pipeline/types';
import type { AnalysisClient } from '../../worker/client';
import type { SavedList } from '../../worker/protocol';

const OPEN_KEY = 'seqlens.open.v1';

/** The saved id of the log this tab showed last, if any. */
export function lastOpened(): string | null {
  try {
    return sessionStorage.getItem(OPEN_KEY);
  } catch {
    return null;
  }
}

function remember(id: string | null): void {
  try {
    if (id) sessionStorage.setItem(OPEN_KEY, id);
    else sessionStorage.removeItem(OPEN_KEY);
  } catch {
    // Storage switched off: a reload shows the demo.
  }
}

export interface SavedAnalysesState {
  list: SavedList | null;
  forget(id: string): void;
  /** Reads the list again (after something else deleted stored data). */
  refresh(): void;
}

export function useSavedAnalyses(client: AnalysisClient, report: AnalysisReport | null): SavedAnalysesState {
  const [list, setList] = useState<SavedList | null>(null);

  const [tick, setTick] = useState(0);
  const refresh = useCallback(() => setTick((t) => t + 1), []);

  useEffect(() => {
    if (!report) return;
    let live = true;
    client
      .listSaved()
      .then((l) => {
        if (!live) return;
        setList(l);
        // Only a log that is kept can be reopened (not one whose save failed or was deleted).
        remember(l.current && l.analyses.some((a) => a.id === l.current) ? l.current : null);
      })
      .catch(() => {});
    return () => {
      live = false;
    };
  }, [client, report, tick]);

  const forget = useCallback(
    (id: string) => {
      client
        .forgetSaved(id)
        .then((l) => {
          setList(l);
          if (lastOpened() === id) remember(null);
        })
        .catch(() => {});
    },
    [client],
  );

  return useMemo(() => ({ list, forget, refresh }), [list, forget, refresh]);
}
