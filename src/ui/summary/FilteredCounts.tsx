import type { AnalysisReport } from '../../pipeline/types';
import { formatInt } from '../common/format';

type Sequences = AnalysisReport['sequences'];

/**
 * What the sequence filters did: customers under the minimum history (kept as a group of their
 * own, not dropped), the bots left out (each listed with its reason), the collapsed repeats.
 */
export function FilteredCounts({ sequences, minLength }: { sequences: Sequences; minLength: number }) {
  const { filtered } = sequences;
  const dropped = sequences.dropped ?? [];
  const rows: [string, number, string, string][] = [
    [
      'Too little history yet',
      filtered.tooShort,
      'customers',
      `fewer than ${formatInt(minLength)} events: not on the map, a group of their own in profiles and exports`,
    ],
    ['Left out as bots', filtered.abnormalVolume, 'sequences', 'views and clicks at a rate or volume no person reaches; purchases never count'],
    ['Duplicates collapsed', filtered.duplicatesCollapsed, 'events', ''],
    ['Events left out in total', filtered.eventsDropped, 'events', ''],
  ];
  return (
    <section className="panel" aria-labelledby="filtered-heading" data-testid="filtered">
      <h3 id="filtered-heading">Filtered out</h3>
      <dl className="pairs">
        {rows.map(([label, n, unit, hint]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>
              {formatInt(n)} <span className="unit">{unit}</span>
              {hint && n > 0 && <span className="hint"> · {hint}</span>}
            </dd>
          </div>
        ))}
      </dl>
      {dropped.length > 0 && (
        <details data-testid="dropped">
          <summary>Who was left out, and why</summary>
          <ul>
            {dropped.map((d) => (
              <li key={d.id} data-id={d.id}>
                {d.id}: {d.reason} ({formatInt(d.browse)} views and clicks of {formatInt(d.events)} events)
              </li>
            ))}
            {dropped.length < filtered.abnormalVolume && <li>… and {formatInt(filtered.abnormalVolume - dropped.length)} more</li>}
          </ul>
          <p className="hint">To include them, set the bot limit (Maximum views and clicks) to 0 under Sequences.</p>
        </details>
      )}
    </section>
  );
}
