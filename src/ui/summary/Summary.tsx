import { lazy, Suspense, type ReactNode } from 'react';
import type { AnalysisReport, SequenceOptions } from '../../pipeline/types';
import { FilteredCounts } from './FilteredCounts';
import { formatBytes, formatDuration, formatInt } from '../common/format';
import { LengthStats } from './LengthStats';
import { RejectsTable } from './RejectsTable';
import { StatCards } from './StatCards';
import { Warnings } from './Warnings';
import { CurrencySetting } from './CurrencySetting';

// ECharts is most of the bundle; loading it on the side lets the numbers show first.
const EventsByTypeChart = lazy(() => import('./EventsByTypeChart').then((m) => ({ default: m.EventsByTypeChart })));
const LengthHistogramChart = lazy(() => import('./LengthHistogramChart').then((m) => ({ default: m.LengthHistogramChart })));

function ChartSlot({ children }: { children: ReactNode }) {
  return <Suspense fallback={<div className="chart-card chart-loading">Loading chart…</div>}>{children}</Suspense>;
}

/**
 * onRegroup: the one-click ways to keep what was left out (the bots, rows without a customer id).
 * currency / onCurrency: the reader's currency for a log that does not say its own.
 */
export function Summary({
  report,
  disabled = false,
  onRegroup,
  currency = null,
  onCurrency,
}: {
  report: AnalysisReport;
  disabled?: boolean;
  onRegroup?: (options: SequenceOptions) => void;
  currency?: string | null;
  onCurrency?: (code: string | null) => void;
}) {
  const { file, input } = report;
  const noun = report.sequences.by === 'user' ? 'customers' : 'sessions';
  const format = `${file.format === 'jsonl' ? 'JSON Lines' : file.format === 'parquet' ? 'Parquet' : 'CSV'}${file.gzip ? ', gzip' : ''}`;
  return (
    <section
      className="summary"
      aria-labelledby="summary-heading"
      data-testid="summary"
      data-file={file.name}
      data-rows={input.rows}
      data-accepted={input.accepted}
      data-rejected={input.rejected.count}
      data-users={report.users}
      data-sessions={report.sessions}
      data-items={report.items}
      data-sequences={report.sequences.count}
      data-events={report.events.total}
      data-by={report.sequences.by}
      data-read-ms={report.timings.readMs}
      data-read-threads={report.timings.readThreads ?? 1}
    >
      <h2 id="summary-heading">
        Summary of <span className="file-name">{file.name}</span>
      </h2>
      <p className="meta">
        {format}
        {file.bytes !== null && ` · ${formatBytes(file.bytes)}`} · {formatInt(input.rows)} rows read in {formatDuration(report.timings.readMs)}
        {(report.timings.readThreads ?? 1) > 1 && ` on ${report.timings.readThreads} threads`}: {formatInt(input.accepted)} accepted,{' '}
        {formatInt(input.rejected.count)} rejected
      </p>
      {report.detection.mapping.price !== undefined && onCurrency && (
        <CurrencySetting detected={report.currency ?? report.detection.currency} chosen={currency} onChoose={onCurrency} />
      )}
      <StatCards report={report} />
      <div className="chart-grid">
        <ChartSlot>
          <EventsByTypeChart byType={report.events.byType} />
        </ChartSlot>
        <ChartSlot>
          <LengthHistogramChart histogram={report.sequences.histogram} noun={noun} />
        </ChartSlot>
      </div>
      <div className="panel-grid">
        <LengthStats lengths={report.sequences.lengths} count={report.sequences.count} noun={noun} />
        <FilteredCounts
          sequences={report.sequences}
          minLength={report.options.minLength}
          onInclude={onRegroup && !disabled ? () => onRegroup({ ...report.options, maxLength: 0 }) : undefined}
        />
      </div>
      <RejectsTable
        rejected={input.rejected}
        onGroupBySession={onRegroup && !disabled && report.options.by === 'user' ? () => onRegroup({ ...report.options, by: 'session' }) : undefined}
      />
      <Warnings warnings={report.warnings} />
    </section>
  );
}
