import './state.css';
import { useRef } from 'react';
import { saveText } from '../common/download';
import { formatBytes, formatInt, formatMoment } from '../common/format';
import type { SavedAnalysesState } from './useSavedAnalyses';
import type { StateFileApi } from './useStateFile';

interface Props {
  state: StateFileApi;
  /** Whether an analysis is on screen to save. */
  canSave: boolean;
  saved: SavedAnalysesState;
  /** Opens a kept log again. */
  onReopen(id: string, name: string): void;
  busy: boolean;
}

export function StatePanel({ state, canSave, saved, onReopen, busy }: Props) {
  const list = saved.list;
  const input = useRef<HTMLInputElement>(null);
  return (
    <section className="panel state-file" aria-labelledby="state-heading" data-testid="state-file" data-pending={state.pending ? 'true' : 'false'}>
      <h2 id="state-heading">Save or restore this analysis</h2>
      <p className="hint">The file holds the settings, the K, the selection and the map's view, not your data: restore it after opening the same log.</p>
      <div className="state-actions">
        <button
          type="button"
          disabled={!canSave}
          onClick={() => {
            const file = state.save();
            if (file) saveText(file.name, file.text, 'application/json');
          }}
        >
          Save analysis
        </button>
        <button type="button" onClick={() => input.current?.click()}>
          Restore analysis…
        </button>
        <input
          ref={input}
          type="file"
          accept=".json,application/json"
          hidden
          data-testid="state-file-input"
          aria-label="Analysis file to restore"
          onChange={(event) => {
            const file = event.target.files?.[0];
            event.target.value = '';
            if (file) void state.restore(file);
          }}
        />
      </div>
      <p className="status" role="status" aria-live="polite" data-testid="state-file-message">
        {state.message}
      </p>
      <h3 id="saved-heading">Kept in this browser</h3>
      <p className="hint">
        The logs you opened lately and the results computed for them stay in this browser (never sent anywhere), so a reload or reopening one shows its clusters
        and map at once. Changed settings are computed afresh.
      </p>
      {list?.lastSaveError && (
        <div role="alert" className="alert" data-testid="saved-error">
          <p>{list.lastSaveError}</p>
        </div>
      )}
      {list && list.analyses.length > 0 ? (
        <ul className="saved-analyses" aria-labelledby="saved-heading" data-testid="saved-analyses">
          {list.analyses.map((a) => (
            <li key={a.id} data-current={a.id === list.current ? 'true' : 'false'} data-name={a.name}>
              <span className="saved-name">{a.name}</span>{' '}
              <span className="hint">
                {formatInt(a.rows)} rows · {formatInt(a.sequences)} sequences · {formatBytes(a.bytes)} · {formatMoment(new Date(a.savedAt).getTime())}
                {a.id === list.current ? ' · on screen' : ''}
                {!a.fileKept && !a.demo ? ' · file not kept in this browser: open it again' : ''}
              </span>{' '}
              <button
                type="button"
                className="link"
                disabled={busy || a.id === list.current || (!a.fileKept && !a.demo)}
                onClick={() => onReopen(a.id, a.name)}
              >
                Reopen<span className="visually-hidden"> {a.name}</span>
              </button>{' '}
              <button type="button" className="link" onClick={() => saved.forget(a.id)}>
                Forget<span className="visually-hidden"> {a.name}</span>
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p className="hint" data-testid="saved-empty">
          Nothing kept yet.
        </p>
      )}
      {state.error && (
        <div role="alert" className="alert" data-testid="state-file-error">
          <p>{state.error}</p>
        </div>
      )}
    </section>
  );
}
