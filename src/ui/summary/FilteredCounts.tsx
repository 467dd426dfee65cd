import type { AnalysisReport } from '../../pipeline/types';
import { formatInt } from '../common/format';

type Filtered = AnalysisReport['sequences']['filtered'];

export function FilteredCounts({ filtered }: { filtered: Filtered }) {
  const rows: [string, number, string][] = [
    ['Too short', filtered.tooShort, 'sequences'],
    ['Abnormal volume (bots)', filtered.abnormalVolume, 'sequences'],
    ['Duplicates collapsed', filtered.duplicatesCollapsed, 'events'],
    ['Events dropped in total', filtered.eventsDropped, 'events'],
  ];
  return (
    <section className="panel" aria-labelledby="filtered-heading" data-testid="filtered">
      <h3 id="filtered-heading">Filtered out</h3>
      <dl className="pairs">
        {rows.map(([label, n, unit]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>
              {formatInt(n)} <span className="unit">{unit}</span>
            </dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
