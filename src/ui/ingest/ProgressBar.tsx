import { useSyncExternalStore } from 'react';
import type { RunningJob } from './useAnalysis';
import { formatBytes, formatCompact, formatInt } from '../common/format';
import { ProgressMeter } from '../common/ProgressMeter';

interface Props {
  job: RunningJob;
  onCancel(): void;
}

export function ProgressBar({ job, onCancel }: Props) {
  const p = useSyncExternalStore(job.progress.subscribe, job.progress.get);
  const fraction = p?.fraction ?? null;
  const stage = p?.stage === 'sequences' ? 'Putting each customer’s events in order…' : job.label;
  const details = p
    ? [
        `${formatInt(p.rows)} rows`,
        `${formatCompact(p.rowsPerSecond)} rows/s`,
        p.totalBytes ? `${formatBytes(p.bytesRead)} of ${formatBytes(p.totalBytes)}` : formatBytes(p.bytesRead),
      ].join(' · ')
    : 'Starting…';

  return <ProgressMeter label={stage} fraction={fraction} details={details} onCancel={onCancel} barTestId="progress" cancelTestId="cancel" />;
}
