import type { RunningJob } from './useAnalysis';
import { formatBytes, formatCompact, formatInt, formatPercent } from './format';

interface Props {
  job: RunningJob;
  onCancel(): void;
}

export function ProgressBar({ job, onCancel }: Props) {
  const p = job.progress;
  const fraction = p?.fraction ?? null;
  const percent = fraction === null ? null : Math.round(fraction * 100);
  const stage = p?.stage === 'sequences' ? 'Building sequences…' : job.label;
  const details = p
    ? [
        `${formatInt(p.rows)} rows`,
        `${formatCompact(p.rowsPerSecond)} rows/s`,
        p.totalBytes ? `${formatBytes(p.bytesRead)} of ${formatBytes(p.totalBytes)}` : formatBytes(p.bytesRead),
      ].join(' · ')
    : 'Starting…';

  return (
    <section className="progress-panel" aria-label="Progress">
      <div className="progress-head">
        <span className="progress-label">{stage}</span>
        <span className="progress-percent">{fraction === null ? '' : formatPercent(fraction)}</span>
      </div>
      <div
        role="progressbar"
        data-testid="progress"
        aria-label={stage}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent ?? undefined}
        aria-valuetext={percent === null ? details : `${percent}% · ${details}`}
        className={`progress-track${percent === null ? ' indeterminate' : ''}`}
      >
        <div className="progress-fill" style={{ width: `${percent ?? 100}%` }} />
      </div>
      <div className="progress-foot">
        <span className="progress-details">{details}</span>
        <button type="button" data-testid="cancel" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </section>
  );
}
