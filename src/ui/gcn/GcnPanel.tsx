// The graph network between Encoding and Clusters: the graph's size, which links it has and what
// they weigh (changes retrain), training progress with a small loss curve, Stop (keep the vectors
// trained so far) and Cancel, the device and the time per epoch.
import { SavedNote } from '../state/SavedNote';
import { useMemo } from 'react';
import { useThrottled } from '../common/useThrottled';
import { EChart, type ChartOption } from '../common/EChart';
import { AXIS_COLOR, BAR_COLOR, GRID } from '../common/chartTheme';
import { GCN_EPOCH_LIMIT } from './gcnSettings';
import { formatDecimal, formatInt } from '../common/format';
import { NumberField } from '../common/NumberField';
import { ProgressMeter } from '../common/ProgressMeter';
import type { GcnStateApi } from './useGcn';

const DEVICE_LABELS = { auto: 'Automatic', cpu: 'CPU', gpu: 'WebGPU' } as const;
const DEVICE_TEXT = { cpu: 'CPU', webgpu: 'WebGPU' } as const;

/** `behaviour`: the encoder is the behaviour model, whose own vectors are clustered (the network's rank each cluster's recommended items). */
export function GcnPanel({ gcn, hasVectors, behaviour = false }: { gcn: GcnStateApi; hasVectors: boolean; behaviour?: boolean }) {
  const { settings, job } = gcn;
  const running = job.state === 'running';
  const losses = job.losses;
  const last = losses.length > 0 ? losses[losses.length - 1] : null;
  // The curve is redrawn at most twice a second; the numbers beside it follow every epoch.
  const drawn = useThrottled(losses, 500);
  const graph = job.graph;
  const option = useMemo<ChartOption>(
    () => ({
      animation: false,
      // Room below and above for the axis titles (containLabel leaves titles out).
      grid: { ...GRID, top: 32, bottom: 32 },
      tooltip: { trigger: 'axis' },
      xAxis: {
        type: 'value',
        name: 'epoch',
        nameLocation: 'middle',
        nameGap: 24,
        min: 1,
        max: Math.max(2, drawn.length),
        minInterval: 1,
        axisLabel: { color: AXIS_COLOR },
      },
      yAxis: { type: 'value', name: 'loss', nameTextStyle: { color: AXIS_COLOR, align: 'left' }, scale: true, axisLabel: { color: AXIS_COLOR } },
      series: [{ type: 'line', showSymbol: false, data: drawn.map((l, i) => [i + 1, l]), lineStyle: { color: BAR_COLOR }, itemStyle: { color: BAR_COLOR } }],
    }),
    [drawn],
  );
  const retrainHint = 'Changing this retrains the network.';
  return (
    <section
      className="panel gcn"
      aria-labelledby="gcn-heading"
      data-testid="gcn"
      data-state={job.state}
      data-epoch={losses.length}
      data-epochs={job.epochs}
      data-loss={last ?? ''}
      data-device={job.result?.report.device ?? ''}
      data-fallback={job.result?.fallback ?? ''}
      data-ms-per-epoch={job.msPerEpoch > 0 ? job.msPerEpoch : ''}
      data-stopped-by-user={job.result ? String(job.result.stoppedByUser) : ''}
      data-restored={job.result?.restored ? 'true' : 'false'}
      data-nodes={graph?.nodes ?? ''}
      data-edges={graph?.edges ?? ''}
    >
      <h2 id="gcn-heading">Graph network</h2>
      <p className="hint">
        A LightGCN (2 layers, 64 dimensions) learns from who interacted with what: sequences and items are nodes, linked by events and by items that follow each
        other. It starts from the encoder&rsquo;s vectors
        {behaviour
          ? '. With the behaviour model the clusters and the map are made from that model’s own vectors, beside a lighter share of what each customer bought (the network would let what people buy drown how they shop); the network’s vectors rank each cluster’s recommended items.'
          : ', and its sequence vectors are what the clusters are made of.'}
      </p>

      <div className="gcn-settings">
        <label className="check">
          <input type="checkbox" data-testid="gcn-enabled" checked={settings.enabled} onChange={(e) => gcn.update({ enabled: e.currentTarget.checked })} />{' '}
          Train the graph network{behaviour ? ' (for the recommendations)' : ' (off: the encoder’s vectors are clustered)'}
        </label>
        {settings.enabled && (
          <fieldset data-testid="gcn-edges">
            <legend>Edges</legend>
            <label className="check">
              <input
                type="checkbox"
                data-testid="gcn-user-item"
                checked={settings.userItem}
                onChange={(e) => gcn.update({ userItem: e.currentTarget.checked })}
              />{' '}
              sequence–item (events, weighted by type)
            </label>
            <label className="check">
              <input
                type="checkbox"
                data-testid="gcn-transitions"
                checked={settings.transitions}
                onChange={(e) => gcn.update({ transitions: e.currentTarget.checked })}
              />{' '}
              item–item transitions
            </label>
            <label className="check">
              <input
                type="checkbox"
                data-testid="gcn-self-loops"
                checked={settings.selfLoops}
                onChange={(e) => gcn.update({ selfLoops: e.currentTarget.checked })}
              />{' '}
              <abbr title="each node also keeps its own vector when it averages its neighbours'">self-loops</abbr>
            </label>
            <NumberField
              label="Link decay: half-life in days"
              hint={`0 = off. ${retrainHint}`}
              name="gcn-half-life"
              value={settings.halfLifeDays}
              min={0}
              max={3650}
              inputMode="decimal"
              onChange={(v) => gcn.update({ halfLifeDays: v })}
            />
            <NumberField
              label="Transition weight"
              hint={retrainHint}
              name="gcn-transition-weight"
              value={settings.transitionWeight}
              min={0}
              max={100}
              inputMode="decimal"
              onChange={(v) => gcn.update({ transitionWeight: v })}
            />
            <NumberField
              label="Transition gap (minutes)"
              hint={`Longer gaps are no transition; 0 = no limit. ${retrainHint}`}
              name="gcn-transition-gap"
              value={settings.transitionMaxGapMinutes}
              min={0}
              max={100000}
              onChange={(v) => gcn.update({ transitionMaxGapMinutes: v })}
            />
            <label className="check">
              <input
                type="checkbox"
                data-testid="gcn-early-stop"
                checked={settings.earlyStopping}
                onChange={(e) => gcn.update({ earlyStopping: e.currentTarget.checked })}
              />{' '}
              stop early when the loss stops improving
            </label>
            <NumberField
              label="Epochs (training passes, at most)"
              hint={`Early stopping may end sooner. ${retrainHint}`}
              name="gcn-epochs"
              value={settings.epochs}
              min={1}
              max={GCN_EPOCH_LIMIT}
              onChange={(v) => gcn.update({ epochs: v })}
            />
            <div className="field">
              <label htmlFor="gcn-device-choice" title="where the network passes vectors along the graph's links: this thread's CPU or the GPU">
                Propagation
              </label>
              <select
                id="gcn-device-choice"
                data-testid="gcn-device-choice"
                value={settings.device}
                onChange={(e) => gcn.update({ device: e.currentTarget.value as keyof typeof DEVICE_LABELS })}
              >
                {(Object.keys(DEVICE_LABELS) as (keyof typeof DEVICE_LABELS)[]).map((d) => (
                  <option key={d} value={d}>
                    {DEVICE_LABELS[d]}
                  </option>
                ))}
              </select>
              <span className="hint">Automatic: our WebGPU kernels on a hardware GPU, else the CPU (same maths).</span>
            </div>
          </fieldset>
        )}
      </div>

      {settings.enabled && (
        <>
          {job.result && <SavedNote restored={job.result.restored} saveError={job.result.saveError} testId="gcn" />}
          <p className="gcn-device" data-testid="gcn-device">
            <span className="chip">device: {job.result ? DEVICE_TEXT[job.result.report.device] : DEVICE_LABELS[settings.device]}</span>
            {job.result?.pathReason && (
              <span className="hint" data-testid="gcn-path-reason">
                {' '}
                {job.result.pathReason}
                {job.result.fallback ? ` (${job.result.fallback})` : ''}.
              </span>
            )}
            {job.msPerEpoch > 0 && (
              <span className="hint" data-testid="gcn-ms-per-epoch">
                {' '}
                {formatDecimal(job.msPerEpoch / 1000)} s per epoch ({formatInt(Math.round(job.msPerEpoch))} ms)
              </span>
            )}
          </p>
          {graph && (
            <p className="gcn-graph" data-testid="gcn-graph">
              Graph: {formatInt(graph.nodes)} nodes ({formatInt(graph.users)} sequences, {formatInt(graph.items)} items), {formatInt(graph.edges)} stored edges
              — {formatInt(graph.counts.userItem)} sequence–item links, {formatInt(graph.counts.transitions)} item–item transitions,{' '}
              {formatInt(graph.counts.selfLoops)} <abbr title="a node's link to itself, so it keeps some of its own vector">self-loops</abbr>
              {graph.counts.isolated > 0 && `; ${formatInt(graph.counts.isolated)} nodes without links`}.
            </p>
          )}
          {running && (
            <ProgressMeter
              label={graph ? 'Training the graph network' : 'Building the graph…'}
              fraction={job.epochs > 0 && graph ? losses.length / job.epochs : null}
              details={
                losses.length > 0
                  ? `epoch ${formatInt(losses.length)} of at most ${formatInt(job.epochs)} · loss ${last!.toFixed(4)}${job.stopping ? ' · stopping…' : ''}`
                  : 'Starting…'
              }
              onCancel={gcn.cancel}
              cancelTestId="gcn-cancel"
              onStop={gcn.stop}
              stopTestId="gcn-stop"
              stopDisabled={job.stopping || losses.length === 0}
              panelTestId="gcn-progress"
              className="gcn-progress"
            />
          )}
          {job.state === 'waiting' && !hasVectors && <p className="hint">Training starts once the sequences are encoded.</p>}
          {job.state === 'cancelled' && (
            <p className="notice" role="status" data-testid="gcn-cancelled">
              Training was cancelled; no graph-network vectors.{' '}
              <button type="button" onClick={gcn.retry}>
                Train again
              </button>
            </p>
          )}
          {job.state === 'error' && job.error && (
            <div className="alert" role="alert" data-testid="gcn-error">
              <p className="alert-title">The graph network could not be trained</p>
              <p>{job.error.message}</p>
              <button type="button" onClick={gcn.retry}>
                Try again
              </button>
            </div>
          )}
          {job.result && job.state === 'done' && (
            <p className="gcn-summary" data-testid="gcn-summary">
              Trained {formatInt(job.result.report.epochs)} epoch{job.result.report.epochs === 1 ? '' : 's'} in {formatDecimal(job.result.seconds)} s on the
              vectors of {job.result.encoder.label}
              {job.result.stoppedByUser
                ? ' (stopped by you; the vectors trained so far are kept)'
                : job.result.stoppedEarly
                  ? ' (early stopping: the loss stopped improving)'
                  : ''}
              ; loss {job.result.report.loss[0]?.toFixed(4)} → {last?.toFixed(4)}.
            </p>
          )}
          {losses.length > 0 && (
            <EChart
              option={option}
              label={`Training loss per epoch, ${losses.length} epochs, last ${last!.toFixed(4)}`}
              testId="gcn-loss-chart"
              className="gcn-loss-chart"
            />
          )}
        </>
      )}
    </section>
  );
}
