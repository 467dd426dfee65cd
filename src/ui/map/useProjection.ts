// Page-side state of the map's layout. A projection starts by itself for each finished sweep (the
// map shows the vectors that were clustered) and fetches the points' ids and attributes with it;
// the worker cancels it when a new sweep, encode or file comes. K changes need no new layout: the
// map only recolours.
import { startTransition, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { AnalysisError, type AnalysisClient } from '../../worker/client';
import type { ClusterResult, MapData, ProjectProgressWire, ProjectResult } from '../../worker/protocol';

export type ProjectionJobState = 'waiting' | 'running' | 'done' | 'error' | 'cancelled';

export interface ProjectionState {
  state: ProjectionJobState;
  progress: ProjectProgressWire | null;
  result: ProjectResult | null;
  data: MapData | null;
  /** The layout on screen belongs to an older sweep (a new one is on its way). */
  stale: boolean;
  error: AnalysisError | null;
  /** The sweep the layout on screen was made for. */
  resultFor: ClusterResult | null;
  cancel(): void;
  retry(): void;
}

interface Job {
  state: ProjectionJobState;
  progress: ProjectProgressWire | null;
  result: ProjectResult | null;
  data: MapData | null;
  resultFor: ClusterResult | null;
  error: AnalysisError | null;
}

/**
 * `sweep`: the finished sweep on screen (its identity says when it changes); `pending`: a new
 * sweep (or new vectors) is on its way, so the layout waits. `dataVersion`: the version of what the
 * points' attributes depend on besides the sweep (the service lines left out of revenue): a new
 * one fetches the map data again, keeping the layout.
 */
export function useProjection(client: AnalysisClient, sweep: ClusterResult | null, pending: boolean, dataVersion: number | null = null): ProjectionState {
  const [job, setJob] = useState<Job>({ state: 'waiting', progress: null, result: null, data: null, resultFor: null, error: null });
  const [tick, setTick] = useState(0);
  const jobId = useRef(0);
  const settled = useRef<ClusterResult | null>(null);
  const userCancelled = useRef(false);

  const start = useCallback(
    async (forSweep: ClusterResult) => {
      const id = ++jobId.current;
      const current = () => jobId.current === id;
      userCancelled.current = false;
      setJob((j) => ({ ...j, state: 'running', progress: null, error: null }));
      try {
        const result = await client.project({ seed: 0 }, (progress) => {
          if (current()) setJob((j) => (j.state === 'running' ? { ...j, progress } : j));
        });
        if (!current()) return;
        const data = await client.mapData();
        if (!current()) return;
        settled.current = forSweep;
        startTransition(() => setJob({ state: 'done', progress: null, result, data, resultFor: forSweep, error: null }));
      } catch (e) {
        if (!current()) return;
        const error = e instanceof AnalysisError ? e : new AnalysisError({ message: String(e), code: 'internal' });
        if (error.code === 'cancelled' && !userCancelled.current) {
          setJob((j) => ({ ...j, state: 'waiting', progress: null }));
          return;
        }
        settled.current = forSweep;
        setJob((j) => ({ ...j, state: error.code === 'cancelled' ? 'cancelled' : 'error', progress: null, error: error.code === 'cancelled' ? null : error }));
      }
    },
    [client],
  );

  useEffect(() => {
    if (!pending) return;
    // The worker stops the layout when a new sweep starts; forget the answer of the old one.
    jobId.current++;
    setJob((j) => (j.state === 'running' ? { ...j, state: 'waiting', progress: null } : j));
  }, [pending]);

  useEffect(() => {
    if (!sweep || pending) return;
    if (settled.current === sweep) return;
    void start(sweep);
  }, [sweep, pending, start, tick]);

  const dataSeen = useRef(dataVersion);
  const done = job.state === 'done';
  useEffect(() => {
    if (dataSeen.current === dataVersion) return;
    if (!done) return; // a layout on its way fetches the data when it ends
    dataSeen.current = dataVersion;
    const id = jobId.current;
    client
      .mapData()
      .then((data) => {
        if (jobId.current === id) startTransition(() => setJob((j) => (j.state === 'done' ? { ...j, data } : j)));
      })
      .catch(() => {
        // The layout on screen keeps its data; the next layout fetches it afresh.
      });
  }, [client, dataVersion, done]);

  const cancel = useCallback(() => {
    userCancelled.current = true;
    client.cancelProject().catch(() => {});
  }, [client]);

  const retry = useCallback(() => {
    settled.current = null;
    setTick((t) => t + 1);
  }, []);

  const stale = job.result !== null && (job.resultFor !== sweep || job.state === 'running' || job.state === 'waiting');
  return useMemo(() => ({ ...job, stale, cancel, retry }), [job, stale, cancel, retry]);
}
