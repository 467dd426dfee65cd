import { ProgressMeter } from '../common/ProgressMeter';
import { useMemo, useRef } from 'react';
import { EChart, type ChartOption } from '../common/EChart';
import { AXIS_COLOR, BAR_COLOR, ELBOW_COLOR, GRID } from '../common/chartTheme';
import { useThrottled } from '../common/useThrottled';
import { SavedNote } from '../state/SavedNote';
import { FEATURIZER_ID } from '../../worker/manifest';
import type { CatalogModel, EncodeResult, SeqBertResultWire } from '../../worker/protocol';
import { type WEIGHT_TYPES, weightTypesIn } from './encoderSettings';
import { formatBytes, formatCompact, formatDecimal, formatInt, formatPercent } from '../common/format';
import { NumberField } from '../common/NumberField';
import { SeqBertSettings } from './SeqBertSettings';
import type { EncoderState, EncodeJob } from './useEncoder';

const FEATURIZER_LABEL = 'Built-in featuriser (character n-grams, short runs of letters: similar spelling, not similar meaning)';

const WEIGHT_LABELS: Record<(typeof WEIGHT_TYPES)[number], string> = {
  view: 'View',
  click: 'Click',
  cart: 'Add to cart',
  purchase: 'Purchase',
  return: 'Return',
  other: 'Other types',
};

const SOURCE_LABELS = { origin: 'from this site (/models/)', browser: 'installed in this browser', 'built-in': 'built in' } as const;

function modelOption(m: CatalogModel): string {
  const where = m.source === 'browser' ? ' — installed in this browser' : m.source === null ? ' — not installed' : '';
  return `${m.label}${where}`;
}

interface Props {
  encoder: EncoderState;
  /** The number of sequences on screen, to say what will be encoded. */
  sequences: number;
  /** Events per type in the log (report.events.byType): weights are offered only for the types it has. */
  eventTypes?: Record<string, number>;
}

export function EncoderPanel({ encoder, sequences, eventTypes }: Props) {
  const { catalog, settings, model, entry, job, install, modelFile, modelFileState } = encoder;
  const folderInput = useRef<HTMLInputElement>(null);
  const bertFileInput = useRef<HTMLInputElement>(null);
  const result = job.result;
  const shown = result && job.state !== 'error' ? result : null;
  const usingFeaturizer = model === FEATURIZER_ID;
  const preferred = catalog?.preferred ?? null;
  const noRealModel = catalog !== null && !catalog.models.some((m) => !m.test && m.source !== null);
  const installedHere = catalog?.models.filter((m) => m.source === 'browser') ?? [];
  const itemsMode = settings.mode === 'items';

  return (
    <section
      className="panel encoder"
      aria-labelledby="encoder-heading"
      data-testid="encoder"
      data-state={job.state}
      data-model={shown?.encoder.model ?? ''}
      data-label={shown?.label ?? ''}
      data-kind={shown?.encoder.kind ?? ''}
      data-dtype={shown?.encoder.dtype ?? ''}
      data-device={shown?.encoder.device ?? ''}
      data-source={shown?.source ?? ''}
      data-mode={shown?.encoder.mode ?? ''}
      data-dims={shown?.encoder.dims ?? ''}
      data-texts={shown?.encoder.texts ?? ''}
      data-items-embedded={shown?.encoder.itemsEmbedded ?? ''}
      data-cache-hits={shown?.encoder.cacheHits ?? ''}
      data-sequences={shown?.sequences ?? ''}
      data-seconds={shown?.seconds ?? ''}
      data-load-seconds={shown?.loadSeconds ?? ''}
      data-vector-probe={shown ? JSON.stringify(shown.probe) : ''}
      data-encoder-kind={settings.kind}
      data-bert-backend={shown?.seqbert?.backend ?? ''}
      data-bert-source={shown?.seqbert?.source ?? ''}
      data-bert-file={modelFile?.name ?? ''}
      data-webgpu={catalog ? `${catalog.webgpu.device}: ${catalog.webgpu.why}` : ''}
    >
      <h2 id="encoder-heading">Encoding</h2>
      <p className="hint">
        Each sequence becomes one vector: every distinct item text is embedded once (and cached in this browser), then a sequence is the weighted mean of its
        items. Everything runs inside this tab.
      </p>

      {noRealModel && (
        <div className="notice" data-testid="no-model-notice">
          <p>
            <strong>No sentence-encoder model is installed.</strong>{' '}
            {usingFeaturizer
              ? 'SeqLens uses its built-in featuriser instead: it groups items whose titles are spelled alike, but does not know what they mean.'
              : 'The built-in featuriser is used by default; it groups items whose titles are spelled alike, but does not know what they mean.'}
          </p>
          <p>
            To use {preferred ? preferred.label : 'a real model'}, run <code>npm run models:fetch</code> where SeqLens is served (it installs the model under{' '}
            <code>public/models/</code>), or choose the model&rsquo;s folder below.
          </p>
        </div>
      )}
      {catalog?.manifestError && (
        <p className="notice" data-testid="manifest-error">
          {catalog.manifestError} Only the built-in featuriser is available.
        </p>
      )}

      <fieldset className="encoder-kind" data-testid="encoder-kind">
        <legend>What to group customers by</legend>
        <label className="radio">
          <input type="radio" name="encoder-kind" value="text" checked={settings.kind === 'text'} onChange={() => encoder.update({ kind: 'text' })} />
          What they buy (item titles)
        </label>
        <label className="radio">
          <input type="radio" name="encoder-kind" value="seqbert" checked={settings.kind === 'seqbert'} onChange={() => encoder.update({ kind: 'seqbert' })} />
          How they shop (behaviour model, trained here on your log)
        </label>
        {settings.kind === 'seqbert' && (
          <span className="hint">
            A small model learns, from this log only, the order, timing and kinds of each customer&rsquo;s events; the text model below gives it the items.
            Segments are made from how customers shop first and what they buy second.
          </span>
        )}
        {settings.kind === 'seqbert' && (
          <SeqBertSettings settings={settings.bert} overrides={encoder.overrides} fromFile={modelFile !== null} onChange={(bert) => encoder.update({ bert })} />
        )}
        <div className="encoder-bert-file" data-testid="bert-file">
          {shown?.seqbert && job.state === 'done' && (
            <button type="button" data-testid="bert-save" onClick={encoder.saveModel} disabled={modelFileState.busy}>
              Save behaviour model
            </button>
          )}{' '}
          <button type="button" data-testid="bert-load" onClick={() => bertFileInput.current?.click()} disabled={modelFileState.busy}>
            Use a saved model…
          </button>
          <input
            ref={bertFileInput}
            type="file"
            accept=".seqbert,application/octet-stream"
            data-testid="bert-file-input"
            aria-label="Saved behaviour model file (.seqbert)"
            className="visually-hidden"
            tabIndex={-1}
            onChange={(event) => {
              const file = event.currentTarget.files?.[0];
              event.currentTarget.value = '';
              if (file) encoder.chooseModelFile(file);
            }}
          />
          {modelFile && (
            <span className="hint" data-testid="bert-file-in-use">
              {' '}
              Using {modelFile.name}: its model embeds this log, nothing is trained.{' '}
              <button type="button" className="link" onClick={encoder.trainHere}>
                Train on this log instead
              </button>
            </span>
          )}
          {!modelFile && (
            <span className="hint">
              {' '}
              A model saved from SeqLens (a <code>.seqbert</code> file) groups this log&rsquo;s customers the way it learned elsewhere, without training.
            </span>
          )}
          {modelFileState.saved && !modelFileState.error && (
            <span className="status" data-testid="bert-saved">
              {' '}
              Saved as {modelFileState.saved}.
            </span>
          )}
        </div>
        {modelFileState.error && (
          <p role="alert" className="alert" data-testid="bert-file-error">
            {modelFileState.error}
          </p>
        )}
      </fieldset>

      <div className="encoder-model">
        <div className="field">
          <label htmlFor="encoder-model-select">Model</label>
          <select
            id="encoder-model-select"
            data-testid="model-select"
            value={model}
            disabled={!catalog}
            onChange={(event) => encoder.update({ model: event.currentTarget.value })}
          >
            {catalog?.models.map((m) => (
              <option key={m.id} value={m.id} disabled={m.source === null && m.id !== model}>
                {modelOption(m)}
              </option>
            ))}
            {catalog && !catalog.models.some((m) => m.id === model) && model !== FEATURIZER_ID && (
              <option value={model}>{model} — not in the model list</option>
            )}
            <option value={FEATURIZER_ID}>{FEATURIZER_LABEL}</option>
          </select>
          <span className="hint">
            {entry?.test
              ? 'A test model with random weights: its vectors mean nothing.'
              : usingFeaturizer
                ? 'No download needed; vectors are not semantic.'
                : entry
                  ? `${entry.dtype} weights${entry.dims ? `, ${entry.dims} dimensions` : ''}, ${entry.source ? SOURCE_LABELS[entry.source] : 'not installed'}`
                  : ''}
          </span>
        </div>
        <div className="encoder-install">
          <button type="button" onClick={() => folderInput.current?.click()} disabled={install.busy || catalog?.storage === false}>
            Install a model from a folder…
          </button>
          <span className="hint">
            The folder with <code>config.json</code>, <code>tokenizer.json</code>, <code>tokenizer_config.json</code> and <code>onnx/model_quantized.onnx</code>
            . It is kept in this browser; nothing is uploaded.
          </span>
          <input
            ref={folderInput}
            type="file"
            data-testid="model-folder-input"
            aria-label="Model folder to install"
            className="visually-hidden"
            tabIndex={-1}
            multiple
            {...({ webkitdirectory: '', directory: '' } as Record<string, string>)}
            onChange={(event) => {
              const files = Array.from(event.currentTarget.files ?? []);
              event.currentTarget.value = '';
              encoder.installFolder(files);
            }}
          />
        </div>
      </div>

      {install.busy && (
        <p className="status" data-testid="model-install-status" role="status">
          {install.message}
        </p>
      )}
      {install.done && !install.busy && (
        <p className="status" data-testid="model-install-done">
          {install.done}
        </p>
      )}
      {install.error && (
        <div role="alert" className="alert" data-testid="model-install-error" data-code={install.error.code}>
          <div>
            <p className="alert-title">The model could not be installed</p>
            <p>{install.error.message}</p>
          </div>
        </div>
      )}
      {installedHere.length > 0 && (
        <ul className="installed-models" aria-label="Models installed in this browser">
          {installedHere.map((m) => (
            <li key={m.id}>
              {m.label}{' '}
              <span className="hint">
                ({m.folder}, {formatBytes(m.bytes ?? 0)})
              </span>{' '}
              <button type="button" className="link" onClick={() => encoder.remove(m.id)}>
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}

      <form className="options-form encoder-options" onSubmit={(event) => event.preventDefault()}>
        <fieldset data-testid="encode-mode">
          <legend>Sequence vectors</legend>
          <label className="radio">
            <input type="radio" name="encode-mode" value="items" checked={itemsMode} onChange={() => encoder.update({ mode: 'items' })} />
            Weighted mean of item vectors
          </label>
          <label className="radio">
            <input type="radio" name="encode-mode" value="sequence-text" checked={!itemsMode} onChange={() => encoder.update({ mode: 'sequence-text' })} />
            Sequence as text (“view: red shirt; cart: jeans”)
          </label>
        </fieldset>
        {weightTypesIn(eventTypes).map((t) => (
          <NumberField
            key={t}
            name={`weight-${t}`}
            label={`${WEIGHT_LABELS[t]} weight`}
            hint={itemsMode ? (t === 'return' ? 'negative takes the item back out' : 'how much it counts') : 'not used for text'}
            min={-100}
            max={100}
            step={0.5}
            inputMode="decimal"
            value={settings.weights[t]}
            disabled={!itemsMode}
            onChange={(v) => encoder.update({ weights: { ...settings.weights, [t]: v } })}
          />
        ))}
        <NumberField
          name="half-life"
          label="Recency half-life"
          hint={itemsMode ? 'days before the last event; 0 = no decay' : 'not used for text'}
          min={0}
          step={1}
          inputMode="decimal"
          value={settings.halfLifeDays}
          disabled={!itemsMode}
          onChange={(halfLifeDays) => encoder.update({ halfLifeDays })}
        />
      </form>

      {job.state === 'running' && (
        <EncodeProgress job={job} what={itemsMode ? 'item texts' : 'sequence texts'} onCancel={encoder.cancel} onStop={encoder.stop} />
      )}
      {job.state === 'error' && job.error && job.file && (
        <div role="alert" className="alert" data-testid="encode-error" data-code={job.error.code} data-file={job.file}>
          <div>
            <p className="alert-title">The saved behaviour model {job.file} could not be used</p>
            <p>{job.error.message}</p>
            <p>
              <button type="button" onClick={() => bertFileInput.current?.click()}>
                Choose another file…
              </button>{' '}
              <button type="button" className="link" onClick={encoder.trainHere}>
                Train on this log instead
              </button>
            </p>
          </div>
        </div>
      )}
      {job.state === 'error' && job.error && !job.file && (
        <div role="alert" className="alert" data-testid="encode-error" data-code={job.error.code} data-file={job.error.file ?? ''}>
          <div>
            <p className="alert-title">The sequences could not be encoded with {job.model}</p>
            <p>{job.error.message}</p>
            {job.model !== FEATURIZER_ID && (
              <p>
                <button type="button" onClick={() => encoder.update({ model: FEATURIZER_ID })}>
                  Use the built-in featuriser
                </button>{' '}
                <button type="button" className="link" onClick={encoder.retry}>
                  Try again
                </button>
              </p>
            )}
          </div>
        </div>
      )}
      {job.state === 'cancelled' && (
        <p className="status" data-testid="encode-cancelled">
          Encoding was cancelled.{' '}
          <button type="button" className="link" onClick={encoder.retry}>
            Encode again
          </button>
        </p>
      )}
      {job.state === 'waiting' && !shown && <p className="hint">{sequences > 0 ? 'Encoding starts once the file is read.' : 'No sequences to encode.'}</p>}
      {shown && <EncodeResultView result={shown} stale={job.state !== 'done'} webgpu={catalog?.webgpu.device === 'wasm' ? catalog.webgpu.why : ''} />}
      {settings.kind === 'seqbert' && <SeqBertLossChart job={job} />}
    </section>
  );
}

function EncodeProgress({ job, what, onCancel, onStop }: { job: EncodeJob; what: string; onCancel(): void; onStop(): void }) {
  const p = job.progress;
  if (p?.stage === 'train' && p.bert) {
    const b = p.bert;
    return (
      <ProgressMeter
        label="Training the behaviour model on this log"
        fraction={b.fraction}
        details={`epoch ${formatInt(b.epoch)} of ${formatInt(b.epochs)} · loss ${formatDecimal(b.loss)}${b.valLoss !== null ? ` · held-out ${formatDecimal(b.valLoss)}` : ''}${job.stopping ? ' · stopping…' : ''}`}
        onCancel={onCancel}
        onStop={onStop}
        stopTestId="encode-stop"
        stopDisabled={job.stopping}
        panelTestId="encode-progress"
        cancelTestId="encode-cancel"
        className="encode-progress"
      />
    );
  }
  const loading = !p || p.stage === 'load';
  const fraction = !loading && p.total > 0 ? p.done / p.total : null;
  const label = loading
    ? `Loading ${job.model === FEATURIZER_ID ? 'the featuriser' : job.model}…`
    : `Embedding ${what} with ${job.model === FEATURIZER_ID ? 'the featuriser' : job.model}`;
  const details = loading
    ? 'Starting…'
    : [`${formatInt(p.done)} of ${formatInt(p.total)} texts`, `${formatCompact(p.itemsPerSecond)} items/s`, `${formatInt(p.cacheHits)} from the cache`].join(
        ' · ',
      );
  return (
    <ProgressMeter
      label={label}
      fraction={fraction}
      details={details}
      onCancel={onCancel}
      panelTestId="encode-progress"
      cancelTestId="encode-cancel"
      className="encode-progress"
    />
  );
}

function EncodeResultView({ result, stale, webgpu }: { result: EncodeResult; stale: boolean; webgpu: string }) {
  const e = result.encoder;
  const featurizer = e.kind === 'featurizer';
  const sources = result.itemTextSources;
  const textFrom = [
    sources.title > 0 && `${formatInt(sources.title)} titles`,
    sources.category > 0 && `${formatInt(sources.category)} categories/brands`,
    sources.id > 0 && `${formatInt(sources.id)} bare item ids`,
  ].filter(Boolean);
  const cards: { label: string; value: string; note?: string; test: string }[] = [
    { label: 'Dimensions', value: formatInt(e.dims), test: 'dims' },
    { label: 'Texts embedded', value: formatInt(e.itemsEmbedded), note: `of ${formatInt(e.texts)} distinct`, test: 'items-embedded' },
    {
      label: 'Cache hits',
      value: formatInt(e.cacheHits),
      note: result.cache.fromDisk > 0 ? `${formatInt(result.cache.fromDisk)} from this browser's store` : undefined,
      test: 'cache-hits',
    },
    { label: 'Sequences encoded', value: formatInt(result.sequences), test: 'sequences' },
    {
      label: 'Time',
      value: `${formatDecimal(result.seconds)} s`,
      note: result.loadSeconds >= 0.05 ? `${formatDecimal(result.loadSeconds)} s loading the model` : undefined,
      test: 'seconds',
    },
  ];
  return (
    <div className={`encode-result${stale ? ' stale' : ''}`} data-testid="encode-result" aria-busy={stale}>
      <p className="encoder-in-use" data-testid="encoder-in-use">
        <strong>{featurizer && !result.seqbert ? 'Built-in featuriser' : result.label}</strong>{' '}
        <span className="chip" title="the number type of the model's weights: fp32 is exact, q8/int8 smaller and faster">
          dtype {e.dtype}
        </span>{' '}
        <span className="chip" title={e.device === 'wasm' && webgpu ? `WASM because ${webgpu}` : 'where the model runs'}>
          device {e.device}
        </span>{' '}
        <span className="hint">
          {featurizer ? 'character n-grams, not semantic' : `${e.model}, ${SOURCE_LABELS[result.source]}`} ·{' '}
          {e.mode === 'items' ? 'weighted mean of item vectors' : 'sequences as text'}
        </span>
      </p>
      {result.seqbert && <SeqBertLine bert={result.seqbert} />}
      <dl className="stat-cards">
        {cards.map((c) => (
          <div key={c.label} className="stat-card" data-testid={`encode-${c.test}`}>
            <dt>{c.label}</dt>
            <dd>
              <span className="stat-value">{c.value}</span>
              {c.note && <span className="stat-note">{c.note}</span>}
            </dd>
          </div>
        ))}
      </dl>
      <ul className="encode-notes">
        {textFrom.length > 0 && <li>Item texts: {textFrom.join(', ')}.</li>}
        {sources.id > 0 && sources.title === 0 && sources.category === 0 && (
          <li>The file has no titles or categories, so items are embedded by their ids: the vectors say little.</li>
        )}
        {result.zeroVectors > 0 && (
          <li>{formatInt(result.zeroVectors)} sequences have weights that cancel out (say, every purchase returned) and got no vector.</li>
        )}
        {result.truncated.sequences > 0 && (
          <li>
            {formatInt(result.truncated.sequences)} sequences were longer than the model&rsquo;s window; their oldest {formatInt(result.truncated.events)}{' '}
            events were left out.
          </li>
        )}
        {result.notes.map((n) => (
          <li key={n}>{n}</li>
        ))}
      </ul>
    </div>
  );
}

/** What the behaviour model was and where it really ran (the backend tfjs reported, not the one asked for). */
function SeqBertLine({ bert }: { bert: SeqBertResultWire }) {
  const last = bert.loss.length > 0 ? bert.loss[bert.loss.length - 1] : null;
  return (
    <>
      <p
        className="encoder-bert"
        data-testid="encoder-bert"
        data-backend={bert.backend}
        data-epochs={bert.epochs}
        data-planned-epochs={bert.plannedEpochs}
        data-stop-reason={bert.stopReason ?? ''}
        data-source={bert.source}
        data-layers={bert.layers}
        data-hidden={bert.hidden}
        data-heads={bert.heads}
        data-max-len={bert.maxLen}
      >
        Behaviour model: {formatInt(bert.layers)} layer{bert.layers === 1 ? '' : 's'}, {formatInt(bert.hidden)} wide, reads each customer&rsquo;s last{' '}
        {formatInt(bert.maxLen)} event{bert.maxLen === 1 ? '' : 's'}, trained {formatInt(bert.epochs)} epoch
        {bert.epochs === 1 ? '' : 's'} on {bert.backend}, {bert.quantized}
        {last !== null && <span className="hint"> · final loss {formatDecimal(last)}</span>}
        {bert.stopReason === 'stop' && (
          <span className="hint" data-testid="encoder-bert-stopped">
            {' '}
            · stopped by you after {formatInt(bert.epochs)} of {formatInt(bert.plannedEpochs)} epochs; the model trained so far is kept
          </span>
        )}
        {bert.stopReason === 'early-stopping' && <span className="hint"> · stopped early: the held-out loss stopped improving</span>}
        {bert.source === 'file' && (
          <span className="hint" data-testid="encoder-bert-from-file">
            {' '}
            · loaded from {bert.fileName ?? 'a saved file'}, not trained on this log
          </span>
        )}
      </p>
      {bert.heldOut && <SeqBertLearned heldOut={bert.heldOut} />}
      {bert.source !== 'file' && <SavedNote restored={bert.source === 'restored'} saveError={bert.saveError} testId="encoder-bert" />}
    </>
  );
}

/** What the behaviour model learned, in one plain sentence: its guesses on held-out histories beside the obvious guesses. */
function SeqBertLearned({ heldOut: h }: { heldOut: NonNullable<SeqBertResultWire['heldOut']> }) {
  return (
    <p
      className="encoder-bert-learned"
      data-testid="encoder-bert-learned"
      data-sequences={h.sequences}
      data-masked={h.masked}
      data-type-accuracy={h.typeAccuracy}
      data-type-baseline={h.typeBaseline}
      data-item-hit10={h.itemHit10}
      data-item-baseline10={h.itemBaseline10}
    >
      What it learned: on {formatInt(h.sequences)} shopping histories it did not train on, it names the kind of a hidden event (view, purchase, …) correctly{' '}
      {formatPercent(h.typeAccuracy)} of the time (always guessing the commonest kind: {formatPercent(h.typeBaseline)}), and has the hidden product among its
      top 10 guesses {formatPercent(h.itemHit10)} of the time (the 10 best sellers: {formatPercent(h.itemBaseline10)}).
    </p>
  );
}

/** The behaviour model's loss per epoch, while it trains (from the progress) and after (from its report). */
function SeqBertLossChart({ job }: { job: EncodeJob }) {
  const training = job.state === 'running' && job.progress?.stage === 'train' ? (job.progress.bert?.curve ?? null) : null;
  const bert = job.result?.seqbert ?? null;
  // One object per progress event or result: a new one every render would redraw forever.
  const curve = useMemo(() => training ?? (bert ? { loss: bert.loss, valLoss: bert.valLoss } : null), [training, bert]);
  // Redrawn at most twice a second; the numbers in the progress line follow every step.
  const drawn = useThrottled(curve, 500);
  const option = useMemo<ChartOption>(() => {
    const loss = drawn?.loss ?? [];
    const held = drawn?.valLoss ?? [];
    return {
      animation: false,
      // Room below for the x-axis title and above for the y-axis title (containLabel leaves titles out).
      grid: { ...GRID, top: 40, bottom: 32 },
      tooltip: { trigger: 'axis' },
      legend: { top: 0, right: 0, textStyle: { color: AXIS_COLOR } },
      xAxis: {
        type: 'value',
        name: 'Epoch',
        nameLocation: 'middle',
        nameGap: 24,
        min: 1,
        max: Math.max(2, loss.length),
        minInterval: 1,
        axisLabel: { color: AXIS_COLOR },
      },
      yAxis: {
        type: 'value',
        name: 'Loss (lower is better)',
        nameTextStyle: { color: AXIS_COLOR, align: 'left' },
        scale: true,
        axisLabel: { color: AXIS_COLOR },
      },
      series: [
        {
          name: 'Training loss',
          type: 'line',
          showSymbol: loss.length < 3,
          data: loss.map((l, i) => [i + 1, l]),
          lineStyle: { color: BAR_COLOR },
          itemStyle: { color: BAR_COLOR },
        },
        {
          name: 'Held-out loss',
          type: 'line',
          showSymbol: true,
          data: held.flatMap((l, i) => (l === null || l === undefined ? [] : [[i + 1, l]])),
          lineStyle: { color: ELBOW_COLOR, type: 'dashed' },
          itemStyle: { color: ELBOW_COLOR },
        },
      ],
    };
  }, [drawn]);
  if (!curve || curve.loss.length === 0) return null;
  const lastHeld = [...curve.valLoss].reverse().find((v) => v !== null && v !== undefined) ?? null;
  return (
    <EChart
      option={option}
      label={`Behaviour model loss per epoch, ${curve.loss.length} epochs, last training loss ${formatDecimal(curve.loss[curve.loss.length - 1])}${lastHeld !== null ? `, last held-out loss ${formatDecimal(lastHeld)}` : ''}`}
      testId="encoder-loss-chart"
      className="encoder-loss-chart"
    />
  );
}
