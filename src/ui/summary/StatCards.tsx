import type { AnalysisReport } from '../../pipeline/types';
import { daysBetween, formatDay, formatDecimal, formatInt } from '../common/format';

export function StatCards({ report }: { report: AnalysisReport }) {
  const { start, end } = report.timeSpan;
  const days = daysBetween(start, end);
  const cards: { label: string; value: string; note?: string }[] = [
    { label: 'Events', value: formatInt(report.events.total) },
    { label: 'Customers', value: formatInt(report.users) },
    { label: 'Sessions', value: formatInt(report.sessions) },
    { label: 'Items', value: formatInt(report.items) },
    {
      label: report.sequences.by === 'user' ? 'Customers analysed' : 'Sessions analysed',
      value: formatInt(report.sequences.count),
      note: report.sequences.by === 'user' ? 'each with their own history' : 'each visit on its own',
    },
    {
      label: 'Time span',
      value: start && end ? `${formatDay(start)} – ${formatDay(end)}` : 'No timestamps',
      note: days === null ? undefined : `${formatDecimal(days)} days`,
    },
  ];
  return (
    <dl className="stat-cards">
      {cards.map((card) => (
        <div key={card.label} className="stat-card">
          <dt>{card.label}</dt>
          <dd>
            <span className="stat-value">{card.value}</span>
            {card.note && <span className="stat-note">{card.note}</span>}
          </dd>
        </div>
      ))}
    </dl>
  );
}
