// The attract loop, inside the app so that it sees the pipeline's state: it waits for the map and
// the profiles of the cycle's analysis, then highlights one cluster after another on the shared map
// view with a large caption. A touch, click or key pauses it for exploration (everything shows
// again); after the idle time the cycle starts over. Any stage's error goes to the kiosk's fail().
import { useEffect, useRef, useState } from 'react';
import type { AnalysisState } from '../ingest/useAnalysis';
import type { ClustersState } from '../clusters/useClusters';
import type { EncoderState } from '../encoder/useEncoder';
import type { GcnStateApi } from '../gcn/useGcn';
import type { ProjectionState } from '../map/useProjection';
import type { InsightsState } from '../insights/useInsights';
import type { MapView } from '../map/useMapView';
import { useKiosk, type KioskApi } from './context';
import { KioskLogView } from './KioskLogView';
import { captionFor, nextStop, othersThan, type TourPosition } from './tour';

interface Props {
  analysis: AnalysisState;
  encoder: EncoderState;
  gcn: GcnStateApi;
  clusters: ClustersState;
  projection: ProjectionState;
  insights: InsightsState;
  view: MapView;
}

type Phase = 'loading' | 'touring' | 'paused';

export function KioskTour(props: Props) {
  const kiosk = useKiosk();
  return kiosk ? <Tour {...props} kiosk={kiosk} /> : null;
}

function Tour({ analysis, encoder, gcn, clusters, projection, insights, view, kiosk }: Props & { kiosk: KioskApi }) {
  const { config } = kiosk;
  const [phase, setPhase] = useState<Phase>('loading');
  const [at, setAt] = useState<TourPosition>({ cluster: 0, pass: 0 });
  const [showLog, setShowLog] = useState(false);

  // A dataset of the configuration instead of the demo (the app skips its demo then).
  const dataRequested = useRef(false);
  const { openFile } = analysis;
  const { fail } = kiosk;
  useEffect(() => {
    if (!config.data || dataRequested.current) return;
    dataRequested.current = true;
    const path = config.data;
    fetch(path)
      .then((r) => {
        if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`);
        return r.blob();
      })
      .then((blob) => openFile(new File([blob], decodeURIComponent(path.split('/').pop() || 'data.csv'), { type: blob.type })))
      .catch((e: unknown) => fail('data', e));
  }, [config.data, openFile, fail]);

  // Any stage's error restarts the cycle (cancellations are the pipeline's own business).
  const failures: [string, { code: string } | null][] = [
    ['ingest', analysis.error],
    ['encode', encoder.job.state === 'error' ? encoder.job.error : null],
    ['gcn', gcn.job.state === 'error' ? gcn.job.error : null],
    ['cluster', clusters.job.state === 'error' ? clusters.job.error : null],
    ['map', projection.state === 'error' ? projection.error : null],
    ['profiles', insights.error],
  ];
  const [failedStage, failedError] = failures.find(([, e]) => e !== null) ?? ['', null];
  useEffect(() => {
    if (failedError) fail(failedStage, failedError);
  }, [failedStage, failedError, fail]);

  // Ready to tour: the map of this cycle's sweep, its labels, and the profiles of the same K.
  const k = clusters.k;
  const profiles = insights.profiles && insights.k === k && !insights.stale ? insights.profiles : null;
  const ready =
    k !== null &&
    projection.state === 'done' &&
    !projection.stale &&
    projection.resultFor === (clusters.job.state === 'done' ? clusters.job.result : undefined) &&
    profiles !== null &&
    profiles.clusters.length === k;
  useEffect(() => {
    if (ready && phase === 'loading') {
      setPhase('touring');
      setAt({ cluster: 0, pass: 0 });
      kiosk.healthy();
      document.querySelector('[data-testid="map"]')?.scrollIntoView({ block: 'start' });
    }
  }, [ready, phase, kiosk]);

  // The highlight: every cluster but the current one greyed out while touring, none when paused.
  const { setHidden } = view;
  useEffect(() => {
    if (phase === 'touring' && k !== null) setHidden(othersThan(at.cluster, k));
    else if (phase === 'paused') setHidden([]);
  }, [phase, at, k, setHidden]);

  // The next stop after the dwell time; after the last pass, a fresh cycle.
  const { newCycle } = kiosk;
  useEffect(() => {
    if (phase !== 'touring' || k === null) return;
    const timer = setTimeout(() => {
      const next = nextStop(at, k, config.passes);
      if (next) setAt(next);
      else newCycle(`${config.passes} ${config.passes === 1 ? 'pass' : 'passes'} through ${k} clusters`);
    }, config.dwellSeconds * 1000);
    return () => clearTimeout(timer);
  }, [phase, at, k, config.dwellSeconds, config.passes, newCycle]);

  // A touch, click or key pauses; the idle time after the last one starts the cycle over.
  const [lastTouch, setLastTouch] = useState(0);
  useEffect(() => {
    const onInput = (event: Event) => {
      // Fullscreen needs a gesture in a plain browser (`npm run kiosk` starts Chromium full screen already).
      if (!document.fullscreenElement && document.documentElement.requestFullscreen) {
        document.documentElement.requestFullscreen().catch(() => {});
      }
      if (event instanceof KeyboardEvent && (event.key === 'l' || event.key === 'L')) setShowLog((s) => !s);
      if (event instanceof KeyboardEvent && event.key === 'Escape') setShowLog(false);
      setPhase((p) => (p === 'touring' ? 'paused' : p));
      setLastTouch(performance.now());
    };
    const options = { capture: true, passive: true } as const;
    window.addEventListener('pointerdown', onInput, options);
    window.addEventListener('touchstart', onInput, options);
    window.addEventListener('keydown', onInput, options);
    return () => {
      window.removeEventListener('pointerdown', onInput, options);
      window.removeEventListener('touchstart', onInput, options);
      window.removeEventListener('keydown', onInput, options);
    };
  }, []);
  useEffect(() => {
    if (phase !== 'paused') return;
    const timer = setTimeout(() => newCycle(`idle for ${config.idleSeconds} s`), config.idleSeconds * 1000);
    return () => clearTimeout(timer);
  }, [phase, lastTouch, config.idleSeconds, newCycle]);

  // The page shows only the map and the caption while touring (see the kiosk block of app.css).
  useEffect(() => {
    const root = document.documentElement;
    root.classList.toggle('kiosk-touring', phase !== 'paused');
    return () => root.classList.remove('kiosk-touring');
  }, [phase]);

  const profile = phase === 'touring' && profiles ? profiles.clusters[at.cluster] : null;
  const caption = profile && k !== null ? captionFor(profile, k, analysis.report?.options.by) : null;
  return (
    <>
      <div
        className={`kiosk-caption kiosk-${phase}`}
        data-testid="kiosk-tour"
        data-tour={phase}
        data-cycle={kiosk.cycle}
        data-cluster={phase === 'touring' ? at.cluster : ''}
        data-pass={phase === 'touring' ? at.pass : ''}
        aria-live="polite"
      >
        {phase === 'loading' && (
          <p className="kiosk-caption-title" data-testid="kiosk-loading">
            {analysis.running ? `${analysis.running.label}…` : 'Finding groups of shoppers…'}
          </p>
        )}
        {caption && (
          <>
            <p className="kiosk-caption-heading">{caption.heading}</p>
            <p className="kiosk-caption-title" data-testid="kiosk-caption">
              {caption.title}
            </p>
            <p className="kiosk-caption-size">{caption.size}</p>
            {caption.items.length > 0 && <p className="kiosk-caption-items">Top items: {caption.items.join(' · ')}</p>}
          </>
        )}
        {phase === 'paused' && (
          <p className="kiosk-caption-heading">Paused — explore freely. The tour starts over after {Math.round(config.idleSeconds)} s without a touch.</p>
        )}
      </div>
      {showLog && <KioskLogView onClose={() => setShowLog(false)} />}
    </>
  );
}
