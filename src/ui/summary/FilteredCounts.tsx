import type { AnalysisReport } from '../../pipeline/types';
import { formatInt } from '../common/format';

type Sequences = AnalysisReport['sequences'];

/**
 * What the filters did: customers under the minimum history (kept as a group of their
 * own, not dropped), the bots left out (each listed with its reason), the collapsed repeats.
 */
export function FilteredCounts({ sequences, minLength, onInclude }: { sequences: Sequences; minLength: number; onInclude?: () => void }) {
  const { filtered } = sequences;
  const dropped = sequences.dropped ?? [];
  const rows: [string, number, string][] = [
    ['Too little history yet', filtered.tooShort, sequences.by === 'user' ? 'customers' : 'sessions'],
    ['Left out as bots', filtered.abnormalVolume, sequences.by === 'user' ? 'customers' : 'sessions'],
    ['Duplicates collapsed', filtered.duplicatesCollapsed, 'events'],
    ['Events not in a segment', filtered.eventsDropped, 'events'],
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
      <p className="hint">
        Too little history yet: fewer than {formatInt(minLength)} events, so not on the map; a group of their own in the profiles and every export. Bots: views
        and clicks at a rate or volume no person reaches (purchases never count).
      </p>
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
          <p className="hint">
            {onInclude && (
              <button type="button" data-testid="include-bots" onClick={onInclude}>
                Include them
              </button>
            )}{' '}
            (sets the bot limit under How the segments were made to 0: no bot rule)
          </p>
        </details>
      )}
    </section>
  );
}
