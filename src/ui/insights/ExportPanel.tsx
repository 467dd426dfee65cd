// Downloads of the analysis: cluster assignments (with map coordinates), profiles or
// recommendations, as CSV or JSON, for everybody or the points selected on the map. The worker
// writes the text (CSV cells that a spreadsheet would run as formulas are neutralised there); the
// page only saves it. Privacy options: pseudonymous user ids (a keyed hash whose key stays in this
// browser) and Laplace noise on profile counts (differential privacy), stated in the file.
// Parquet files (the vectors, the assignments with the map, the centres) for data tools: the
// worker writes them (loading the writer on first use), the page saves the bytes.
import { useId, useState } from 'react';
import { AnalysisError, type AnalysisClient } from '../../worker/client';
import type { ExportFormat, ExportWhat, ParquetExportRequest } from '../../worker/protocol';
import { saveBlob } from '../common/download';
import { formatInt } from '../common/format';
import { formatEpsilon } from '../privacy/budget';

const whatChoices = (noun: string): { value: ExportWhat; label: string; hint: string }[] => [
  { value: 'assignments', label: 'Segments', hint: `one row per ${noun}: id, segment number, map position, segment name` },
  { value: 'profiles', label: 'Profiles', hint: 'one row per segment: size, funnel, spend, top names' },
  { value: 'recommendations', label: 'Recommendations', hint: `per ${noun}: a new list (items not bought yet) and a buy-again list, with reasons` },
];

type Scope = 'all' | 'selection';

const parquetChoices = (noun: string): { value: ParquetExportRequest['what']; label: string; title: string }[] => [
  { value: 'userVectors', label: `${noun[0].toUpperCase()}${noun.slice(1)} vectors`, title: `user_id, cluster, label, vector: one row per ${noun}` },
  { value: 'itemVectors', label: 'Item vectors', title: 'item_id, title, vector: one row per item' },
  { value: 'assignments', label: 'Segments with map', title: `user_id, cluster, label, x, y: one row per ${noun}` },
  { value: 'centroids', label: 'Segment centres', title: 'cluster, label, size, vector: one row per segment' },
];

interface Props {
  client: AnalysisClient;
  k: number | null;
  /** Points selected on the map (sequence indices), or null when nothing is selected. */
  selection: Int32Array | null;
  /** Whether there is a finished, current clustering to export. */
  ready: boolean;
  /** What one row is: 'customer', or 'session' when the log is grouped by session. */
  noun?: 'customer' | 'session';
}

type Status =
  | { state: 'idle' }
  | { state: 'saving' }
  | { state: 'saved'; name: string; rows: number; privacy: string | null; spent: number | null; exports: number }
  | { state: 'error'; message: string };

/** The epsilon typed, if it is a usable budget (a number above 0). */
function parseEpsilon(text: string): number | null {
  const v = Number(text.trim().replace(',', '.'));
  return text.trim() !== '' && Number.isFinite(v) && v > 0 ? v : null;
}

/** Most sessions one user may add to noised counts (the sensitivity grows with it). */
const MAX_SESSIONS_PER_USER = 100;

/** The sessions-per-user cap typed, if it is a whole number from 1 to MAX_SESSIONS_PER_USER. */
function parseCap(text: string): number | null {
  const v = Number(text.trim());
  return /^\d+$/.test(text.trim()) && v >= 1 && v <= MAX_SESSIONS_PER_USER ? v : null;
}

export function ExportPanel({ client, k, selection, ready, noun = 'customer' }: Props) {
  const WHAT = whatChoices(noun);
  const [what, setWhat] = useState<ExportWhat>('assignments');
  const [format, setFormat] = useState<ExportFormat>('csv');
  const [scopeChoice, setScope] = useState<Scope>('all');
  const [status, setStatus] = useState<Status>({ state: 'idle' });
  const [pseudonymise, setPseudonymise] = useState(false);
  const [noise, setNoise] = useState(false);
  const [epsilonText, setEpsilonText] = useState('1');
  const [capText, setCapText] = useState('1');
  const epsilonId = useId();
  const capId = useId();
  const formatName = useId();
  const scopeName = useId();
  const whatId = useId();

  const hasSelection = selection !== null && selection.length > 0;
  const scope: Scope = hasSelection ? scopeChoice : 'all';
  const hasIds = what !== 'profiles';
  const epsilon = parseEpsilon(epsilonText);
  const cap = parseCap(capText);
  const noiseOn = !hasIds && noise;
  const canSave = ready && k !== null && status.state !== 'saving' && !(noiseOn && (epsilon === null || cap === null));

  async function downloadParquet(which: ParquetExportRequest['what']) {
    if (k === null) return;
    setStatus({ state: 'saving' });
    try {
      const file = await client.exportParquet({ what: which, k, pseudonymise });
      saveBlob(file.name, new Blob([file.bytes as Uint8Array<ArrayBuffer>], { type: file.mime }));
      setStatus({ state: 'saved', name: file.name, rows: file.rows, privacy: file.privacy ?? null, spent: null, exports: 0 });
    } catch (e) {
      const message = e instanceof AnalysisError || e instanceof Error ? e.message : String(e);
      setStatus({ state: 'error', message });
    }
  }

  async function download() {
    if (k === null) return;
    setStatus({ state: 'saving' });
    try {
      const file = await client.exportData({
        what,
        format,
        k,
        selection: scope === 'selection' ? selection : null,
        pseudonymise: hasIds && pseudonymise,
        epsilon: noiseOn ? epsilon : null,
        sessionsPerUser: noiseOn ? cap : null,
      });
      saveBlob(file.name, file.blob);
      setStatus({
        state: 'saved',
        name: file.name,
        rows: file.rows,
        privacy: file.privacy ?? null,
        spent: file.spent?.spent ?? null,
        exports: file.spent?.exports ?? 0,
      });
    } catch (e) {
      const message = e instanceof AnalysisError || e instanceof Error ? e.message : String(e);
      setStatus({ state: 'error', message });
    }
  }

  return (
    <section className="panel export" aria-labelledby="export-heading" data-testid="export" data-ready={ready ? 'true' : 'false'}>
      <h2 id="export-heading">Export</h2>
      <form
        className="options-form export-form"
        onSubmit={(event) => {
          event.preventDefault();
          if (canSave) void download();
        }}
      >
        <div className="field">
          <label htmlFor={whatId}>What</label>
          <select id={whatId} data-testid="export-what" value={what} onChange={(e) => setWhat(e.currentTarget.value as ExportWhat)}>
            {WHAT.map((w) => (
              <option key={w.value} value={w.value}>
                {w.label}
              </option>
            ))}
          </select>
          <span className="hint">{WHAT.find((w) => w.value === what)!.hint}</span>
        </div>
        <fieldset className="export-choice">
          <legend>Format</legend>
          {(['csv', 'json'] as const).map((f) => (
            <label key={f} className="radio">
              <input type="radio" name={formatName} value={f} data-testid={`export-format-${f}`} checked={format === f} onChange={() => setFormat(f)} />
              {f.toUpperCase()}
            </label>
          ))}
        </fieldset>
        <fieldset className="export-choice">
          <legend>Rows</legend>
          <label className="radio">
            <input type="radio" name={scopeName} value="all" data-testid="export-scope-all" checked={scope === 'all'} onChange={() => setScope('all')} />
            Everything
          </label>
          <label className="radio">
            <input
              type="radio"
              name={scopeName}
              value="selection"
              data-testid="export-scope-selection"
              checked={scope === 'selection'}
              disabled={!hasSelection}
              onChange={() => setScope('selection')}
            />
            The selection{hasSelection ? ` (${formatInt(selection.length)} ${selection.length === 1 ? noun : `${noun}s`})` : ''}
          </label>
          <span className="hint">{!hasSelection ? `Select ${noun}s on the map to export only those.` : ''}</span>
        </fieldset>
        <fieldset className="export-choice export-privacy">
          <legend>Privacy</legend>
          {hasIds ? (
            <>
              <label className="checkbox">
                <input type="checkbox" data-testid="export-pseudonymise" checked={pseudonymise} onChange={(e) => setPseudonymise(e.currentTarget.checked)} />
                Pseudonymise user ids
              </label>
              <span className="hint">
                Replaces each id by a keyed hash (u_…): the same user gets the same pseudonym in every export from this browser, and nobody without its key can
                recover the id.
              </span>
            </>
          ) : (
            <>
              <label className="checkbox">
                <input type="checkbox" data-testid="export-noise" checked={noise} onChange={(e) => setNoise(e.currentTarget.checked)} />
                Add noise to profile counts (differential privacy)
              </label>
              {noise && (
                <span className="export-epsilon">
                  <label htmlFor={epsilonId}>Epsilon</label>
                  <input
                    id={epsilonId}
                    type="number"
                    inputMode="decimal"
                    // Any positive number: a step would make the browser refuse values like 0.5 (step mismatch from min).
                    min="0"
                    step="any"
                    data-testid="export-epsilon"
                    value={epsilonText}
                    aria-invalid={epsilon === null}
                    onChange={(e) => setEpsilonText(e.currentTarget.value)}
                  />
                  <label htmlFor={capId}>Sessions per user</label>
                  <input
                    id={capId}
                    type="number"
                    min="1"
                    max={MAX_SESSIONS_PER_USER}
                    step="1"
                    data-testid="export-sessions-per-user"
                    title="When grouped by session: the most sessions one user adds to the counts (chosen at random); the noise grows with it. No effect by customer."
                    value={capText}
                    aria-invalid={cap === null}
                    onChange={(e) => setCapText(e.currentTarget.value)}
                  />
                </span>
              )}
              <span className="hint">
                {noise && epsilon === null
                  ? 'Epsilon must be a number above 0.'
                  : noise && cap === null
                    ? `Sessions per user must be a whole number from 1 to ${MAX_SESSIONS_PER_USER}.`
                    : 'Smaller epsilon = more private and noisier counts (1 is a common choice). Events, revenue and orders are left out of noised files. ' +
                      'The guarantee covers the counts given the segments (the segments, their names and listed names come from the exact data), per user; ' +
                      'by session, each user counts with at most the sessions per user set here, or per session when the log has no user ids. Every noised export of a log adds its epsilon to the total in the privacy panel.'}
              </span>
            </>
          )}
        </fieldset>
        <div className="field export-action">
          <button type="submit" data-testid="export-download" disabled={!canSave}>
            {status.state === 'saving' ? 'Preparing…' : 'Download'}
          </button>
          {!ready && <span className="hint">The export follows the segments.</span>}
        </div>
        {/* The data tools' files speak the analyst's terms (vectors, Parquet): one click away, closed for the merchant. */}
        <details className="export-parquet-box" data-testid="export-parquet-box">
          <summary>For data tools: Parquet files</summary>
          <fieldset className="export-choice export-parquet" data-testid="export-parquet">
            <legend>Parquet</legend>
            <span className="export-parquet-buttons">
              {parquetChoices(noun).map((p) => (
                <button
                  key={p.value}
                  type="button"
                  data-testid={`export-parquet-${p.value}`}
                  title={p.title}
                  disabled={!ready || k === null || status.state === 'saving'}
                  onClick={() => void downloadParquet(p.value)}
                >
                  {p.label}
                </button>
              ))}
            </span>
            <span className="hint">
              Everybody at this number of segments, for pandas, DuckDB, Spark or Embedding Atlas (vectors as a float list column). User ids are pseudonymised
              when “Pseudonymise user ids” is ticked.
            </span>
          </fieldset>
        </details>
      </form>
      {status.state === 'saved' && (
        <p className="status" role="status" data-testid="export-status" data-name={status.name} data-rows={status.rows} data-privacy={status.privacy ?? ''}>
          Saved {status.name} ({formatInt(status.rows)} {status.rows === 1 ? 'row' : 'rows'}){status.privacy ? `; ${status.privacy}` : ''}
          {status.spent !== null && (
            <span data-testid="export-spent" data-spent={status.spent}>
              {' '}
              Epsilon spent on this log so far: {formatEpsilon(status.spent)} over {formatInt(status.exports)} noised{' '}
              {status.exports === 1 ? 'export' : 'exports'}.
            </span>
          )}
        </p>
      )}
      {status.state === 'error' && (
        <p className="alert" role="alert" data-testid="export-error">
          The export failed: {status.message}
        </p>
      )}
    </section>
  );
}
