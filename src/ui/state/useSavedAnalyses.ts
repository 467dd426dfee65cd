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

/**
 * The log on screen if a reload can reopen it: saved, with its file in the browser (or the demo);
 * not one whose save failed, was deleted, or whose file the user chose not to keep.
 */
function reopenable(l: SavedList): string | null {
  const current = l.current ? l.analyses.find((a) => a.id === l.current) : undefined;
  return current && (current.fileKept || current.demo) ? current.id : null;
}

export interface SavedAnalysesState {
  list: SavedList | null;
  forget(id: string): void;
  /** Copies the log on screen into the browser after all (the user said yes when asked). */
  keepCurrent(): Promise<void>;
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
        remember(reopenable(l));
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

  const keepCurrent = useCallback(async () => {
    const l = await client.keepCurrentFile();
    setList(l);
    remember(reopenable(l));
  }, [client]);

  return useMemo(() => ({ list, forget, refresh, keepCurrent }), [list, forget, refresh, keepCurrent]);
}
