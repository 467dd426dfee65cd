import { formatPercent } from './format';

interface Props {
  label: string;
  /** 0..1, or null while the total is unknown (the bar then pulses). */
  fraction: number | null;
  details: string;
  onCancel(): void;
  cancelTestId: string;
  /** Test id of the whole panel, and of the bar itself. */
  panelTestId?: string;
  barTestId?: string;
  className?: string;
  /** An optional Stop button before Cancel: end early but keep what was done. */
  onStop?: () => void;
  stopTestId?: string;
  stopDisabled?: boolean;
}

/** One long-running job: label, percent, an accessible progress bar, details and Cancel. */
export function ProgressMeter({
  label,
  fraction,
  details,
  onCancel,
  cancelTestId,
  panelTestId,
  barTestId,
  className,
  onStop,
  stopTestId,
  stopDisabled,
}: Props) {
  const percent = fraction === null ? null : Math.round(fraction * 100);
  return (
    <section className={`progress-panel${className ? ` ${className}` : ''}`} aria-label={label} data-testid={panelTestId}>
      <div className="progress-head">
        <span className="progress-label">{label}</span>
        <span className="progress-percent">{fraction === null ? '' : formatPercent(fraction)}</span>
      </div>
      <div
        role="progressbar"
        data-testid={barTestId}
        aria-label={label}
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
        {onStop && (
          <button type="button" data-testid={stopTestId} onClick={onStop} disabled={stopDisabled}>
            Stop
          </button>
        )}
        <button type="button" data-testid={cancelTestId} onClick={onCancel}>
          Cancel
        </button>
      </div>
    </section>
  );
}
