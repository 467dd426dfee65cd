// Page-side state of the map's layout. A projection starts by itself for each finished sweep (the
// map shows the vectors that were clustered) and fetches the points' ids and attributes with it;
// the worker cancels it when a new sweep, encode or file comes. K changes need no new layout: the
// map only recolours.
import { startTransition, useEffect, useMemo, useRef, useState } from 'react';
import type { AnalysisError, AnalysisClient } from '../../worker/client';
import type { ClusterResult, MapData, ProjectProgressWire, ProjectResult } from '../../worker/protocol';
import { STAGE_DEBOUNCE_MS } from '../jobs/debounce';
import { useStageJob } from '../jobs/useStageJob';

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
  const stage = useStageJob<ClusterResult, { result: ProjectResult; data: MapData | null }, ProjectProgressWire>({
    input: sweep,
    // The layout has no settings of its own: one job per sweep.
    key: '',
    // The worker stops the layout when a new sweep starts; forget the answer of the old one.
    pending,
    debounceMs: STAGE_DEBOUNCE_MS.project,
    onPending: () => setJob((j) => (j.state === 'running' ? { ...j, state: 'waiting', progress: null } : j)),
    run: async (_sweep, _key, progress, current) => {
      const result = await client.project({ seed: 0 }, progress);
      // A superseded layout does not fetch its points' data: its answer is dropped anyway.
      if (!current()) return { result, data: null };
      return { result, data: await client.mapData() };
    },
    started: () => setJob((j) => ({ ...j, state: 'running', progress: null, error: null })),
    progress: (progress) => setJob((j) => (j.state === 'running' ? { ...j, progress } : j)),
    done: ({ result, data }, forSweep) => startTransition(() => setJob({ state: 'done', progress: null, result, data, resultFor: forSweep, error: null })),
    interrupted: () => setJob((j) => ({ ...j, state: 'waiting', progress: null })),
    failed: (error) => setJob((j) => ({ ...j, state: error ? 'error' : 'cancelled', progress: null, error })),
    cancelInWorker: () => client.cancelProject(),
  });

  const dataSeen = useRef(dataVersion);
  const done = job.state === 'done';
  useEffect(() => {
    if (dataSeen.current === dataVersion) return;
    if (!done) return; // a layout on its way fetches the data when it ends
    dataSeen.current = dataVersion;
    const token = stage.slot.token();
    client
      .mapData()
      .then((data) => {
        if (stage.slot.isLatest(token)) startTransition(() => setJob((j) => (j.state === 'done' ? { ...j, data } : j)));
      })
      .catch(() => {
        // The layout on screen keeps its data; the next layout fetches it afresh.
      });
  }, [client, dataVersion, done, stage]);

  const { cancel, retry } = stage;

  const stale = job.result !== null && (job.resultFor !== sweep || job.state === 'running' || job.state === 'waiting');
  return useMemo(() => ({ ...job, stale, cancel, retry }), [job, stale, cancel, retry]);
}
