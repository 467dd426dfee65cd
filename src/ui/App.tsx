import { memo, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { AnalysisClient } from '../worker/client';
import { ErrorAlert } from './common/ErrorAlert';
import { FilePicker } from './ingest/FilePicker';
import { Footer } from './Footer';
import { Header } from './Header';
import { MappingPanel } from './ingest/MappingPanel';
import { ProgressBar } from './ingest/ProgressBar';
import { SequenceOptionsPanel } from './ingest/SequenceOptionsPanel';
import { StatusMessage } from './common/StatusMessage';
import { Summary } from './summary/Summary';
import type { SequenceOptions } from '../pipeline/types';
import { ClusterPanel } from './clusters/ClusterPanel';
import { EncoderPanel } from './encoder/EncoderPanel';
import { GcnPanel } from './gcn/GcnPanel';
import { useGcn } from './gcn/useGcn';
import { useAnalysis } from './ingest/useAnalysis';
import { useClusters } from './clusters/useClusters';
import { useEncoder } from './encoder/useEncoder';
import { useProjection } from './map/useProjection';
import { MapPanel } from './map/MapPanel';
import { useMapView } from './map/useMapView';
import { ProfilesPanel } from './insights/ProfilesPanel';
import { ExportPanel } from './insights/ExportPanel';
import { useInsights } from './insights/useInsights';
import { ServiceLinesPanel } from './catalog/ServiceLinesPanel';
import { useServiceLines } from './catalog/useServiceLines';
import { StatePanel } from './state/StatePanel';
import { KeepLogPrompt } from './state/KeepLogPrompt';
import { PrivacyPanel } from './privacy/PrivacyPanel';
import { lastOpened, useSavedAnalyses } from './state/useSavedAnalyses';
import { useStateFile } from './state/useStateFile';
import { useKiosk } from './kiosk/context';
import { KioskTour } from './kiosk/KioskTour';
import { SegmentCards } from './segments/SegmentCards';
import { DriftView } from './drift/DriftView';
import { SavedModelBar } from './drift/SavedModelBar';
import { useSavedModel } from './drift/useSavedModel';
import { StatusBar } from './status/StatusBar';
import { pipelineStatus, type JobPhase, type PipelineInput } from './status/pipelineStatus';
import { AnalystDetails } from './layout/AnalystDetails';
import { MoneyContext } from './common/MoneyContext';
import { moneyOf, rememberCurrency, rememberedCurrency, shownCurrency } from './common/money';

// Every stage's progress re-renders App; panels whose props did not change skip it, so a training
// epoch or a sweep step does not redraw the summary's charts, the map or the profiles.
const SummaryView = memo(Summary);
const ClusterView = memo(ClusterPanel);
const MapPanelView = memo(MapPanel);
const ProfilesView = memo(ProfilesPanel);
const ExportView = memo(ExportPanel);
const PrivacyView = memo(PrivacyPanel);
const ServiceLinesView = memo(ServiceLinesPanel);
const SegmentCardsView = memo(SegmentCards);
const DriftPanel = memo(DriftView);

export function App({ client }: { client: AnalysisClient }) {
  const analysis = useAnalysis(client);
  // Kiosk mode (?kiosk): no file dialogs, the demo (or its configured data) every cycle, and the tour.
  const kiosk = useKiosk();
  const { report, running, error, unrecognised, generation, loadDemo, reopen } = analysis;
  const [mappingOpen, setMappingOpen] = useState(false);
  const encoder = useEncoder(client, report, running !== null);
  const gcn = useGcn(client, encoder.job, running !== null);
  // With the graph network on, the clusters wait for its vectors (of the encode on screen) and are made
  // from them; with the behaviour model the worker clusters the model's own vectors even then, and
  // the network's go to the recommendations (pipeline/runner: clusterInput).
  const encoded = encoder.job.state === 'done' ? encoder.job.result : null;
  const source = gcn.settings.enabled
    ? {
        vectors: gcn.job.state === 'done' && encoded && gcn.job.resultFor === encoded ? gcn.job.result : null,
        pending: encoder.job.state === 'running' || gcn.job.state === 'running' || gcn.job.state === 'waiting',
        which: 'gcn' as const,
      }
    : { vectors: encoded, pending: encoder.job.state === 'running', which: 'encoder' as const };
  const clusters = useClusters(client, source, running !== null);

  // A saved model applied to this log replaces the sweep: its segments (one K, the saved one) are
  // what the map, cards, profiles and exports show, until another log or a newer sweep.
  const savedModel = useSavedModel(client, report, clusters.job.result);
  const applied = savedModel.applied;
  const logName = report?.file.name ?? '';
  // The K on screen: the saved model's when one is applied, else the one chosen in the sweep.
  const shownK = applied ? applied.k : clusters.k;
  // The map, profiles and exports are made from the finished sweep on screen (not a stale one).
  const sweep = applied ? applied.sweep : clusters.job.state === 'done' && !clusters.stale ? clusters.job.result : null;
  const sweepPending = applied === null && (running !== null || source.pending || clusters.job.state === 'running' || clusters.job.state === 'waiting');
  const serviceLines = useServiceLines(client, report);
  const projection = useProjection(client, sweep, sweepPending, serviceLines.data?.version ?? null);
  const view = useMapView();
  const mapSweep = projection.resultFor;
  const insights = useInsights(client, sweep, sweep ? shownK : null, sweep !== null, serviceLines.data?.version ?? null);
  const profiles = insights.profiles;
  const clusterLabels = useMemo(() => (profiles && insights.k === shownK ? profiles.clusters.map((c) => c.label) : null), [profiles, insights.k, shownK]);
  // While a new sweep replaces the map's (its layout on the way), the map stays as it was drawn:
  // colouring the old layout by the new sweep's K would show clusters never computed for it, and
  // redraw every point for nothing.
  const mapCurrent = mapSweep !== null && mapSweep === sweep;
  const [drawnWith, setDrawnWith] = useState<{ k: number | null; clusterLabels: string[] | null }>({ k: null, clusterLabels: null });
  useEffect(() => {
    if (mapCurrent) setDrawnWith({ k: shownK, clusterLabels });
  }, [mapCurrent, shownK, clusterLabels]);
  const mapK = mapCurrent ? shownK : drawnWith.k;
  const mapClusterLabels = mapCurrent ? clusterLabels : drawnWith.clusterLabels;
  const entryIndex = mapSweep && mapK !== null ? mapSweep.entries.findIndex((e) => e.k === mapK) : -1;
  const labels = mapSweep && entryIndex >= 0 ? mapSweep.labels[entryIndex] : null;
  const saved = useSavedAnalyses(client, report);
  const stateFile = useStateFile({ report, regroup: analysis.regroup, encoder, gcn, clusters, projection, view, serviceLines });
  const [restoreCount, setRestoreCount] = useState(0);
  // A regroup asked from the summary (include the bots, group by session): the options panel starts
  // over from the report it makes, as after a restore.
  const regroupAsked = useRef(false);
  const { regroup } = analysis;
  const regroupFromSummary = useCallback(
    (options: SequenceOptions) => {
      regroupAsked.current = true;
      regroup(options);
    },
    [regroup],
  );
  useEffect(() => {
    if (report && regroupAsked.current) {
      regroupAsked.current = false;
      setRestoreCount((c) => c + 1);
    }
  }, [report]);
  const restoring = stateFile.pending;
  // A restore may change the sequence options: the panel starts over from the report's.
  useEffect(() => {
    if (restoring) setRestoreCount((c) => c + 1);
  }, [restoring]);

  // A new sweep makes the old selection and hidden clusters meaningless.
  // (A restore brings its own, once the sweep of its settings is on screen.)
  const { setSelection, setHidden, setFocus } = view;
  const lastSweep = useRef<object | null>(null);
  useEffect(() => {
    if (!sweep || sweep === lastSweep.current) return;
    lastSweep.current = sweep;
    if (restoring) return;
    setSelection(null);
    setHidden([]);
    setFocus(null);
  }, [sweep, restoring, setSelection, setHidden, setFocus]);

  // The first screen shows the demo, so there is something to look at before choosing a file.
  const demoRequested = useRef(false);
  useEffect(() => {
    if (demoRequested.current) return;
    demoRequested.current = true;
    // A kiosk always starts from the same data (its tour loads a configured file itself).
    if (kiosk) {
      if (!kiosk.config.data) loadDemo();
      return;
    }
    // A reload reopens the log this tab showed (kept in the browser); a new tab starts with the demo.
    const previous = lastOpened();
    if (previous) reopen(previous, 'the last analysis', loadDemo);
    else loadDemo();
  }, [loadDemo, reopen]);

  // Without a user or item column nothing can be shown; the way out is the mapping panel.
  useEffect(() => {
    if (error?.code === 'no-user-or-item') setMappingOpen(true);
  }, [error]);

  const mappingSource = unrecognised?.detection ?? report?.detection ?? null;
  // New columns (or a new result for the same ones) start the panel over from what was detected.
  const mappingKey = mappingSource ? `${generation}|${mappingSource.columns.join('\u0001')}|${JSON.stringify(mappingSource.mapping)}` : '';
  const busy = running !== null;

  // Every amount on the page in the log's currency, else the one the reader chose (remembered), else plain numbers.
  const [chosenCurrency, setChosenCurrency] = useState(rememberedCurrency);
  const chooseCurrency = useCallback((code: string | null) => {
    rememberCurrency(code);
    setChosenCurrency(code);
  }, []);
  const money = useMemo(() => moneyOf(shownCurrency(report?.currency, chosenCurrency).code), [report, chosenCurrency]);
  const noun = report?.options.by === 'session' ? 'sessions' : 'customers';

  // Where the whole analysis stands, for the sticky status bar (pipelineStatus decides "ready").
  const encodeProgress = encoder.job.progress;
  const profilesCurrent = insights.profiles !== null && insights.k === shownK && !insights.stale;
  const statusInput: Omit<PipelineInput, 'reading'> = {
    hasLog: report !== null,
    behaviour: encoder.settings.kind === 'seqbert',
    // An applied model encoded and assigned the log itself: its steps are done.
    encode: {
      phase: applied ? 'done' : encoder.job.state,
      fraction:
        encodeProgress?.stage === 'train'
          ? (encodeProgress.bert?.fraction ?? null)
          : encodeProgress && encodeProgress.total > 0
            ? encodeProgress.done / encodeProgress.total
            : null,
    },
    gcn:
      !applied && gcn.settings.enabled && gcn.job.state !== 'off'
        ? {
            phase: gcn.job.state,
            fraction: gcn.settings.epochs > 0 ? gcn.job.epochs / gcn.settings.epochs : null,
            stale: gcn.job.state === 'done' && gcn.job.resultFor !== encoded,
          }
        : null,
    cluster: applied
      ? { phase: 'done', fraction: null, stale: false }
      : { phase: clusters.job.state, fraction: clusters.job.progress?.fraction ?? null, stale: clusters.stale },
    map: { phase: projection.state, fraction: projection.progress?.overall ?? null, stale: projection.stale || !mapCurrent },
    profile: {
      phase: (insights.error ? 'error' : insights.loading ? 'running' : profilesCurrent ? 'done' : 'waiting') as JobPhase,
      fraction: null,
    },
  };
  const cancelStep = useCallback(
    (step: string) => {
      if (step === 'read') analysis.cancel();
      else if (step === 'encode') encoder.cancel();
      else if (step === 'gcn') gcn.cancel();
      else if (step === 'cluster') clusters.cancel();
      else if (step === 'map') projection.cancel();
    },
    [analysis.cancel, encoder.cancel, gcn.cancel, clusters.cancel, projection.cancel],
  );
  const retryStep = useCallback(
    (step: string) => {
      if (step === 'encode') encoder.retry();
      else if (step === 'gcn') gcn.retry();
      else if (step === 'cluster') clusters.retry();
      else if (step === 'map') projection.retry();
    },
    [encoder.retry, gcn.retry, clusters.retry, projection.retry],
  );
  // What the segment cards wait for, while they wait: the step running now.
  const now = pipelineStatus({ ...statusInput, reading: { active: running !== null, fraction: null } });
  const segmentsPending = now.state === 'running' ? now.label : null;

  const mappingPanel = mappingSource && (
    <MappingPanel
      key={mappingKey}
      source={mappingSource}
      fileName={unrecognised?.fileName ?? report?.file.name ?? ''}
      open={mappingOpen}
      disabled={busy}
      onOpenChange={setMappingOpen}
      onApply={analysis.applyMapping}
    />
  );

  return (
    <MoneyContext.Provider value={money}>
      <Header />
      {!kiosk && <StatusBar fileName={report?.file.name ?? null} reading={running} input={statusInput} onCancel={cancelStep} onRetry={retryStep} />}
      <main className="wrap">
        {!kiosk && <FilePicker onFile={analysis.openFile} onDemo={loadDemo} compact={report !== null} />}
        {kiosk && <KioskTour analysis={analysis} encoder={encoder} gcn={gcn} clusters={clusters} projection={projection} insights={insights} view={view} />}
        {running && <ProgressBar job={running} onCancel={analysis.cancel} />}
        <StatusMessage message={analysis.status} />
        {error && <ErrorAlert error={error} subject={analysis.errorSubject} onDismiss={analysis.dismissError} />}
        {!kiosk && <KeepLogPrompt saved={saved} />}
        {/* A file whose columns were not understood: the way out comes first. */}
        {(!report || unrecognised) && mappingPanel}
        {report ? (
          <>
            {/* The first screen: the segments, as cards and on the map. */}
            <div className="segments-top">
              <MapPanelView
                projection={projection}
                labels={labels}
                k={labels ? mapK : null}
                clusterLabels={mapClusterLabels}
                view={view}
                client={client}
                noun={report.options.by === 'session' ? 'session' : 'customer'}
              />
              <SegmentCardsView
                insights={insights}
                k={sweep ? shownK : null}
                noun={report.options.by === 'session' ? 'sessions' : 'customers'}
                pending={segmentsPending}
              />
            </div>
            {!kiosk && <SavedModelBar model={savedModel} k={sweep && profilesCurrent ? shownK : null} busy={busy} />}
            {applied && <DriftPanel applied={applied} logName={logName} noun={noun} />}
            <SummaryView report={report} disabled={busy} onRegroup={regroupFromSummary} currency={chosenCurrency} onCurrency={chooseCurrency} />
            <ProfilesView insights={insights} noun={noun} />
            <ExportView
              client={client}
              k={sweep ? shownK : null}
              selection={view.selection}
              ready={sweep !== null && projection.state === 'done' && !projection.stale}
              noun={report.options.by === 'session' ? 'session' : 'customer'}
            />
            <AnalystDetails>
              {!unrecognised && mappingPanel}
              <SequenceOptionsPanel key={`${generation}-${restoreCount}`} initial={report.options} disabled={busy} onChange={analysis.regroup} />
              <ServiceLinesView state={serviceLines} disabled={busy} />
              <EncoderPanel encoder={encoder} sequences={report.sequences.count} eventTypes={report.events.byType} />
              <GcnPanel gcn={gcn} hasVectors={encoder.job.result !== null} behaviour={encoder.settings.kind === 'seqbert'} />
              <ClusterView clusters={clusters} hasVectors={source.vectors !== null} />
            </AnalystDetails>
            <StatePanel state={stateFile} canSave={report !== null} saved={saved} onReopen={reopen} busy={running !== null} />
            <PrivacyView client={client} onWiped={saved.refresh} />
          </>
        ) : (
          !busy && !error && <p className="empty-state">Open a log file to see its summary.</p>
        )}
      </main>
      <Footer />
    </MoneyContext.Provider>
  );
}
