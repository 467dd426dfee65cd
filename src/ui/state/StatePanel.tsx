import './state.css';
import { useRef } from 'react';
import type { StateFileApi } from './useStateFile';

/** Saves a text as a file download (a Blob URL, revoked once the click has been handled). */
export function downloadText(name: string, text: string, mime: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: mime }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

interface Props {
  state: StateFileApi;
  /** Whether an analysis is on screen to save. */
  canSave: boolean;
}

export function StatePanel({ state, canSave }: Props) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <section className="panel state-file" aria-labelledby="state-heading" data-testid="state-file" data-pending={state.pending ? 'true' : 'false'}>
      <h2 id="state-heading">Save or restore this analysis</h2>
      <p className="hint">
        The file holds the settings, the K, the selection and the map's view, not your data: restore it after opening the same log.
      </p>
      <div className="state-actions">
        <button
          type="button"
          disabled={!canSave}
          onClick={() => {
            const file = state.save();
            if (file) downloadText(file.name, file.text, 'application/json');
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
      {state.error && (
        <div role="alert" className="alert" data-testid="state-file-error">
          <p>{state.error}</p>
        </div>
      )}
    </section>
  );
}
