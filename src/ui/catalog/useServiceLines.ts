// Page-side state of the service lines (postage, fees...) of the log on screen: asked of the worker
// when a log is read (or regrouped), and changed by the user's choices. The answer's version is
// what the profiles and recommendations follow (useInsights asks again when it changes).
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ServiceSettings } from '../../pipeline/catalog/serviceSettings';
import type { AnalysisReport } from '../../pipeline/types';
import { AnalysisError, type AnalysisClient } from '../../worker/client';
import type { ServiceItemsWire } from '../../worker/protocol';

export interface ServiceLinesState {
  data: ServiceItemsWire | null;
  /** A change on its way to the worker. */
  busy: boolean;
  error: AnalysisError | null;
  change(settings: ServiceSettings): void;
}

const toError = (e: unknown): AnalysisError => (e instanceof AnalysisError ? e : new AnalysisError({ message: String(e), code: 'internal' }));

export function useServiceLines(client: AnalysisClient, report: AnalysisReport | null): ServiceLinesState {
  const [data, setData] = useState<ServiceItemsWire | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AnalysisError | null>(null);
  const requestId = useRef(0);

  useEffect(() => {
    if (!report) {
      setData(null);
      return;
    }
    const id = ++requestId.current;
    client.serviceItems().then(
      (d) => {
        if (requestId.current === id) setData(d);
      },
      (e: unknown) => {
        if (requestId.current === id) setError(toError(e));
      },
    );
  }, [client, report]);

  const change = useCallback(
    (settings: ServiceSettings) => {
      const id = ++requestId.current;
      setBusy(true);
      setError(null);
      client.setServiceItems(settings).then(
        (d) => {
          if (requestId.current !== id) return;
          setBusy(false);
          setData(d);
        },
        (e: unknown) => {
          if (requestId.current !== id) return;
          setBusy(false);
          setError(toError(e));
        },
      );
    },
    [client],
  );

  // One object per change, so the panel can skip the re-renders of other stages' progress.
  return useMemo(() => ({ data, busy, error, change }), [data, busy, error, change]);
}
