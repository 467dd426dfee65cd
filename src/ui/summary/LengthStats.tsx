import type { LengthStats as Stats } from '../../pipeline/types';
import { formatDecimal, formatInt } from '../common/format';

/** noun: what one member is, 'customers' or 'sessions'. */
export function LengthStats({ lengths, count, noun = 'customers' }: { lengths: Stats; count: number; noun?: string }) {
  const rows: [string, string][] = [
    ['Shortest', formatInt(lengths.min)],
    ['Median', formatDecimal(lengths.median)],
    ['90th percentile', formatDecimal(lengths.p90)],
    ['Longest', formatInt(lengths.max)],
    ['Mean', formatDecimal(lengths.mean)],
  ];
  return (
    <section className="panel" aria-labelledby="lengths-heading">
      <h3 id="lengths-heading">Events per {noun.replace(/s$/, '')}</h3>
      {count === 0 ? (
        <p>No {noun} left after filtering.</p>
      ) : (
        <dl className="pairs">
          {rows.map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd>{v}</dd>
            </div>
          ))}
        </dl>
      )}
    </section>
  );
}
