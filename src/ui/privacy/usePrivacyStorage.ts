// The privacy panel's data: the worker's inventory (IndexedDB, Cache Storage, OPFS, its memory
// caches) joined with the page's localStorage and sessionStorage keys, and the wipes of both.
import { useCallback, useEffect, useRef, useState } from 'react';
import { AnalysisError, type AnalysisClient } from '../../worker/client';
import type { StorageReport, StoredItem } from '../../worker/protocol';
import { isPageItem, pageStoredItems, wipePageItems, type PageStoredItem } from './pageStorage';

export type PanelItem = StoredItem | PageStoredItem;

export interface StorageView {
  items: PanelItem[];
  /** Sum of the listed sizes. */
  total: number;
  usage: number | null;
  quota: number | null;
}

export interface PrivacyStorage {
  view: StorageView | null;
  busy: boolean;
  error: string | null;
  refresh(): void;
  /** Deletes the listed items, or everything SeqLens stores. */
  wipe(what: 'all' | string[]): Promise<void>;
}

function join(report: StorageReport): StorageView {
  const items: PanelItem[] = [...report.items, ...pageStoredItems()];
  return { items, total: items.reduce((s, x) => s + x.bytes, 0), usage: report.usage, quota: report.quota };
}

const messageOf = (e: unknown): string => (e instanceof AnalysisError || e instanceof Error ? e.message : String(e));

export function usePrivacyStorage(client: AnalysisClient, onWiped?: () => void): PrivacyStorage {
  const [view, setView] = useState<StorageView | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // Answers that arrive after a newer request are dropped.
  const generation = useRef(0);

  const run = useCallback(async (job: () => Promise<StorageReport>) => {
    const mine = ++generation.current;
    setBusy(true);
    setError(null);
    try {
      const report = await job();
      if (mine === generation.current) setView(join(report));
    } catch (e) {
      if (mine === generation.current) setError(messageOf(e));
    } finally {
      if (mine === generation.current) setBusy(false);
    }
  }, []);

  const refresh = useCallback(() => void run(() => client.storageReport()), [client, run]);

  useEffect(() => {
    refresh();
  }, [refresh]);

  const wipe = useCallback(
    async (what: 'all' | string[]) => {
      await run(async () => {
        if (what === 'all') {
          wipePageItems(pageStoredItems().map((x) => x.id));
          return client.wipeStorage('all');
        }
        wipePageItems(what.filter(isPageItem));
        const ids = what.filter((id) => !isPageItem(id));
        return ids.length > 0 ? client.wipeStorage({ ids }) : client.storageReport();
      });
      onWiped?.();
    },
    [client, run, onWiped],
  );

  return { view, busy, error, refresh, wipe };
}
