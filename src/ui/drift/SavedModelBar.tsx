// Beside the segments: save them as a model file (.seqlens) to apply to next month's log, and apply
// a saved model to the log on screen (its segments, not new ones: the drift view then shows what
// changed). The file input is a real, labelled input (keyboard users tab to it); a damaged or
// foreign file gets the model reader's own message.
import { useId } from 'react';
import './drift.css';
import { formatBytes, formatPercent } from '../common/format';
import { ProgressMeter } from '../common/ProgressMeter';
import type { SavedModelState } from './useSavedModel';

interface Props {
  model: SavedModelState;
  /** The K on screen, when a finished clustering can be saved. */
  k: number | null;
  /** Another job reads or encodes the log: nothing is applied meanwhile. */
  busy: boolean;
}

const STAGE_WORDS: Record<string, string> = {
  load: 'Reading the model',
  read: 'Reading the model',
  encode: 'Placing the customers',
  embed: 'Placing the customers',
  assign: 'Assigning the segments',
  update: 'Updating the segments',
  drift: 'Comparing with the saved log',
};

export function SavedModelBar({ model, k, busy }: Props) {
  const inputId = useId();
  const updateId = useId();
  const { save, apply } = model;
  const running = apply.state === 'running';
  return (
    <section className="panel saved-model" aria-label="Saved segments model" data-testid="saved-model">
      <div className="model-actions">
        <button
          type="button"
          data-testid="save-model"
          disabled={k === null || save.state === 'saving' || running}
          onClick={() => k !== null && model.saveModel(k)}
        >
          Save segments model
        </button>
        <input
          id={inputId}
          type="file"
          accept=".seqlens,application/octet-stream"
          className="visually-hidden model-file-input"
          data-testid="apply-model-input"
          disabled={busy || running}
          onChange={(event) => {
            const file = event.target.files?.[0];
            event.target.value = '';
            if (file) model.applyFile(file);
          }}
        />
        {/* After the input, so that its keyboard focus shows on the label (input:focus-visible + label). */}
        <label htmlFor={inputId} className="button-like model-file" data-disabled={busy || running ? 'true' : 'false'}>
          Apply a saved model…
        </label>
        <label className="checkbox" htmlFor={updateId}>
          <input
            id={updateId}
            type="checkbox"
            data-testid="apply-model-update"
            checked={model.update}
            onChange={(e) => model.setUpdate(e.currentTarget.checked)}
          />
          Let the segments follow this log
        </label>
      </div>
      <p className="hint">
        Save the segments to place next month’s customers in the same ones (nothing is trained again), then open that log and apply the model file to see who
        moved.
      </p>
      <p className="status" role="status" aria-live="polite" data-testid="save-model-status" data-size={save.state === 'saved' ? save.size : ''}>
        {save.state === 'saving' && 'Saving the segments model…'}
        {save.state === 'saved' && `Saved ${save.name} (${formatBytes(save.size)}).`}
        {apply.state === 'done' && (model.applied ? `Applied ${apply.fileName}.` : 'A newer clustering replaced the applied model.')}
        {apply.state === 'cancelled' && 'Applying the model was cancelled.'}
      </p>
      {save.state === 'error' && (
        <div role="alert" className="alert" data-testid="save-model-error">
          <p>The segments model could not be saved: {save.message}</p>
        </div>
      )}
      {apply.state === 'error' && (
        <div role="alert" className="alert" data-testid="apply-model-error" data-code={apply.error.code}>
          <div>
            <p className="alert-title">{apply.fileName} could not be applied</p>
            <p>{apply.error.message}</p>
          </div>
          <button type="button" className="link" onClick={model.dismiss}>
            Dismiss
          </button>
        </div>
      )}
      {running && (
        <ProgressMeter
          label={`Applying ${apply.fileName}: ${apply.progress ? (STAGE_WORDS[apply.progress.stage] ?? apply.progress.stage) : 'starting'}`}
          fraction={apply.progress?.fraction ?? null}
          details={apply.progress ? formatPercent(apply.progress.fraction) : ''}
          onCancel={model.cancel}
          cancelTestId="apply-model-cancel"
          barTestId="apply-model-progress"
        />
      )}
    </section>
  );
}
