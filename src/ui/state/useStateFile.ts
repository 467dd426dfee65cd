// Saving the whole analysis (settings, K, selection, map view) to a file and restoring it. The
// analysis itself is not in the file: with the same log and settings every stage is seeded and
// gives the same result, so restoring re-applies the settings and then, once the clusters and the
// map of those settings are on screen, the K, selection, hidden clusters and colouring.
import { useCallback, useEffect, useRef, useState } from 'react';
import { parseState, serializeState, STATE_FORMAT, STATE_VERSION, StateFileError, type AnalysisState } from '../../pipeline/export';
import type { AnalysisReport } from '../../pipeline/types';
import { formatInt, formatMoment } from '../common/format';
import type { ColorBy, MapView } from '../map/useMapView';
import type { ClustersState } from '../clusters/useClusters';
import type { EncoderState } from '../encoder/useEncoder';
import type { GcnStateApi } from '../gcn/useGcn';
import type { ProjectionState } from '../map/useProjection';
import { restoredSettings, selectionFromIds } from './restore';
import type { ServiceLinesState } from '../catalog/useServiceLines';

const COLOR_BY: readonly ColorBy[] = ['cluster', 'length', 'revenue', 'country', 'lastType'];

export interface StateFileApi {
  /** Builds the file of the analysis on screen; null when there is nothing to save. */
  save(): { name: string; text: string } | null;
  restore(file: Blob): Promise<void>;
  /** What the last save or restore did, for the status line. */
  message: string | null;
  error: string | null;
  /** A restore waiting for its clusters and map. */
  pending: boolean;
}

interface Inputs {
  report: AnalysisReport | null;
  regroup(options: AnalysisReport['options']): void;
  encoder: EncoderState;
  gcn: GcnStateApi;
  clusters: ClustersState;
  projection: ProjectionState;
  view: MapView;
  /** The service lines of the log on screen: their choices are saved and restored too. */
  serviceLines?: ServiceLinesState;
}

export function useStateFile({ report, regroup, encoder, gcn, clusters, projection, view, serviceLines }: Inputs): StateFileApi {
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState<AnalysisState | null>(null);
  /** With changed settings, the sweep on screen at restore time: the view waits for the next one. */
  const [outdated, setOutdated] = useState<object | null>(null);
  const notes = useRef<string[]>([]);

  const save = useCallback((): { name: string; text: string } | null => {
    if (!report) return null;
    const ids = projection.data?.ids ?? null;
    const state: AnalysisState = {
      format: STATE_FORMAT,
      version: STATE_VERSION,
      savedAt: new Date().toISOString(),
      file: { name: report.file.name, bytes: report.file.bytes, rows: report.input.rows },
      settings: {
        sequence: { ...report.options },
        encoder: { ...encoder.settings },
        gcn: { ...gcn.settings },
        cluster: { ...clusters.settings },
        map: {},
      },
      k: clusters.k,
      selection: ids && view.selection ? Array.from(view.selection, (i) => ids[i]) : [],
      hiddenClusters: [...view.hidden].sort((a, b) => a - b),
      colorBy: view.colorBy,
      ...(serviceLines?.data ? { serviceItems: serviceLines.data.settings } : {}),
    };
    setError(null);
    setMessage(`Saved the analysis of ${report.file.name}${clusters.k ? ` with K = ${clusters.k}` : ''}.`);
    return { name: `seqlens-analysis-${report.file.name.replace(/[^\p{L}\p{N}._-]+/gu, '_')}.json`, text: serializeState(state) };
  }, [report, encoder.settings, gcn.settings, clusters.settings, clusters.k, projection.data, view.selection, view.hidden, view.colorBy, serviceLines?.data]);

  const restore = useCallback(
    async (file: Blob) => {
      setMessage(null);
      setError(null);
      let state: AnalysisState;
      try {
        state = parseState(await file.text());
      } catch (e) {
        setError(e instanceof StateFileError ? e.message : `The file could not be read: ${e instanceof Error ? e.message : String(e)}`);
        return;
      }
      if (!report) {
        setError('Open the log first, then restore its analysis.');
        return;
      }
      if (state.file.name !== report.file.name || state.file.rows !== report.input.rows) {
        setError(
          `This analysis was saved for ${state.file.name} (${formatInt(state.file.rows)} rows); the log on screen is ${report.file.name} (${formatInt(report.input.rows)} rows). Open that log first, then restore again.`,
        );
        return;
      }
      const { settings, notes: found } = restoredSettings(
        { sequence: report.options, encoder: encoder.settings, gcn: gcn.settings, cluster: clusters.settings },
        state.settings,
      );
      notes.current = found;
      const same = (a: object, b: object) => JSON.stringify(a) === JSON.stringify(b);
      const changed =
        !same(settings.sequence, report.options) ||
        !same(settings.encoder, encoder.settings) ||
        !same(settings.gcn, gcn.settings) ||
        !same(settings.cluster, clusters.settings);
      setOutdated(changed ? clusters.job.result : null);
      if (JSON.stringify(settings.sequence) !== JSON.stringify(report.options)) regroup(settings.sequence);
      encoder.update(settings.encoder);
      gcn.update(settings.gcn);
      clusters.update(settings.cluster);
      if (state.serviceItems && serviceLines && JSON.stringify(state.serviceItems) !== JSON.stringify(serviceLines.data?.settings))
        serviceLines.change(state.serviceItems);
      setPending(state);
      setMessage('Restoring: the clusters and the map of the saved settings are on their way…');
    },
    [report, regroup, encoder, gcn, clusters, serviceLines],
  );

  // Once the sweep and the map of the restored settings are on screen, the rest of the view follows.
  const ready =
    pending !== null &&
    (outdated === null || clusters.job.result !== outdated) &&
    clusters.job.state === 'done' &&
    !clusters.stale &&
    projection.state === 'done' &&
    !projection.stale &&
    projection.resultFor === clusters.job.result;
  useEffect(() => {
    if (!ready || !pending) return;
    const extra = [...notes.current];
    const result = clusters.job.result!;
    if (pending.k !== null) {
      if (result.entries.some((e) => e.k === pending.k)) clusters.chooseK(pending.k);
      else extra.push(`K = ${pending.k} is outside the sweep (${result.range.kMin}..${result.range.kMax}); the suggested K is shown.`);
    }
    const ids = projection.data?.ids ?? [];
    if (pending.selection.length > 0) {
      const { selection, missing } = selectionFromIds(ids, pending.selection);
      view.setSelection(selection.length > 0 ? selection : null);
      if (missing > 0) extra.push(`${formatInt(missing)} selected users are not on the map now.`);
    } else {
      view.setSelection(null);
    }
    view.setHidden(pending.hiddenClusters);
    if ((COLOR_BY as readonly string[]).includes(pending.colorBy)) view.setColorBy(pending.colorBy as ColorBy);
    setMessage(`Restored the analysis saved ${formatMoment(new Date(pending.savedAt).getTime())}.${extra.length ? ` ${extra.join(' ')}` : ''}`);
    setPending(null);
    setOutdated(null);
  }, [ready, pending, clusters, projection.data, view]);

  return { save, restore, message, error, pending: pending !== null };
}
