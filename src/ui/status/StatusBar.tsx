// The sticky bar under the header: the log on screen, the step that runs now with its percent and
// Cancel, or "Segments ready" once every step has finished (pipelineStatus says when). A stopped or
// failed step says so and offers to run it again; its panel below has the details.
import { useSyncExternalStore } from 'react';
import type { RunningJob } from '../ingest/useAnalysis';
import { formatPercent } from '../common/format';
import { pipelineStatus, type PipelineInput } from './pipelineStatus';

const NO_PROGRESS = () => () => {};
const NONE = () => null;

interface Props {
  fileName: string | null;
  reading: RunningJob | null;
  input: Omit<PipelineInput, 'reading'>;
  onCancel(step: string): void;
  onRetry(step: string): void;
}

export function StatusBar({ fileName, reading, input, onCancel, onRetry }: Props) {
  const progress = useSyncExternalStore(reading ? reading.progress.subscribe : NO_PROGRESS, reading ? reading.progress.get : NONE);
  const status = pipelineStatus({ ...input, reading: { active: reading !== null, fraction: progress?.fraction ?? null } });
  if (status.state === 'empty') return null;
  const percent = status.fraction === null ? null : Math.round(status.fraction * 100);
  const stepText = status.state === 'done' ? status.label : `Step ${status.index} of ${status.count}: ${status.label}`;
  return (
    <div className="status-bar" data-testid="pipeline-status" data-state={status.state} data-step={status.step ?? ''}>
      <div className="wrap status-bar-inner">
        {fileName && (
          <span className="status-bar-file" title={fileName}>
            {fileName}
          </span>
        )}
        <span className="status-bar-step" role="status" aria-live="polite" data-testid="pipeline-status-text">
          {status.state === 'error' ? `${status.label} failed (details below)` : status.state === 'stopped' ? `Stopped: ${status.label}` : stepText}
          {status.state === 'running' && percent !== null ? ` · ${formatPercent(status.fraction ?? 0)}` : ''}
        </span>
        {status.state === 'running' && (
          <span
            className={`status-bar-track${percent === null ? ' indeterminate' : ''}`}
            role="progressbar"
            aria-label={status.label}
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={percent ?? undefined}
          >
            <span className="status-bar-fill" style={percent === null ? undefined : { width: `${percent}%` }} />
          </span>
        )}
        {status.state === 'running' && status.step && status.step !== 'profile' && (
          <button type="button" data-testid="pipeline-cancel" onClick={() => onCancel(status.step as string)}>
            Cancel
          </button>
        )}
        {(status.state === 'stopped' || status.state === 'error') && status.step && (
          <button type="button" data-testid="pipeline-retry" onClick={() => onRetry(status.step as string)}>
            {status.state === 'stopped' ? 'Resume' : 'Try again'}
          </button>
        )}
      </div>
    </div>
  );
}
