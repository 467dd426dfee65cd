// Page-side state of the cluster profiles and their recommendations. Both are asked of the worker
// for the clustering on screen (the sweep and its K); a newer question always wins, and the last
// answer stays on screen, marked stale, while the next one is on its way.
import { startTransition, useEffect, useRef, useState, useMemo } from 'react';
import { AnalysisError, type AnalysisClient } from '../../worker/client';
import type { RecommendationsWire } from '../../worker/protocol';
import type { ClusterProfiles } from '../../pipeline/profile/types';

/** Recommended items asked for per cluster. */
export const RECOMMENDATIONS_PER_CLUSTER = 10;

export interface InsightsState {
  /** The K the profiles on screen are for (null before the first answer). */
  k: number | null;
  profiles: ClusterProfiles | null;
  recommendations: RecommendationsWire | null;
  loading: boolean;
  error: AnalysisError | null;
  /** Whether what is on screen belongs to another sweep or K than the one on screen. */
  stale: boolean;
}

interface Answer {
  sweep: object;
  k: number;
  profiles: ClusterProfiles;
  recommendations: RecommendationsWire | null;
}

function toError(e: unknown): AnalysisError {
  return e instanceof AnalysisError ? e : new AnalysisError({ message: String(e), code: 'internal' });
}

/**
 * @param sweep the ClusterResult on screen: a new identity means new clusters.
 * @param ready false while the sweep is stale or running: nothing is asked until the worker holds it.
 * @param serviceVersion the version of the service lines left out (useServiceLines): a new one asks again.
 */
export function useInsights(
  client: AnalysisClient,
  sweep: object | null,
  k: number | null,
  ready: boolean,
  serviceVersion: number | null = null,
): InsightsState {
  const [answer, setAnswer] = useState<Answer | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<AnalysisError | null>(null);
  const requestId = useRef(0);

  useEffect(() => {
    if (!sweep || k === null || !ready) return;
    const id = ++requestId.current;
    const current = () => requestId.current === id;
    setLoading(true);
    setError(null);
    // Recommendations are a bonus: when only they fail, the profiles still show.
    void Promise.allSettled([client.profiles(k), client.recommendations(k, RECOMMENDATIONS_PER_CLUSTER)]).then(([p, r]) => {
      if (!current()) return;
      setLoading(false);
      if (p.status === 'rejected') {
        const e = toError(p.reason);
        // A sweep, file or encode that replaced this one cancels it: the next request follows.
        if (e.code !== 'cancelled') setError(e);
        return;
      }
      startTransition(() => setAnswer({ sweep, k, profiles: p.value, recommendations: r.status === 'fulfilled' ? r.value : null }));
    });
    return () => {
      // A newer sweep or K supersedes this request; its answer is dropped when it comes.
      if (current()) {
        requestId.current++;
        setLoading(false);
      }
    };
  }, [client, sweep, k, ready, serviceVersion]);

  const stale = answer !== null && (answer.sweep !== sweep || answer.k !== k || loading || !ready);
  // One object per change, so that panels given it can skip re-rendering while other stages report progress.
  return useMemo(
    () => ({ k: answer?.k ?? null, profiles: answer?.profiles ?? null, recommendations: answer?.recommendations ?? null, loading, error, stale }),
    [answer, loading, error, stale],
  );
}
