// The segments at a glance, beside the map on the first screen: one card per segment with its name,
// size and share, the three traits that set it apart and its top items, and a card for the
// customers with too little history yet. The full profiles (funnel, categories, comparison,
// recommendations) stay further down; this is what a merchant reads first.
import { useId } from 'react';
import type { ClusterProfile, RankedItem } from '../../pipeline/profile/types';
import { clusterColor } from '../common/chartTheme';
import { formatInt, formatPercent } from '../common/format';
import { useMoney } from '../common/MoneyContext';
import { traitText } from '../insights/insightFormat';
import type { InsightsState } from '../insights/useInsights';

const TOP_ITEMS = 3;

interface Props {
  insights: InsightsState;
  /** The K on screen: cards for another K are not shown as if they were this one's. */
  k: number | null;
  /** What one sequence is: a customer, or a session when the log is grouped by session. */
  noun: 'customers' | 'sessions';
  /** A step before the segments still runs (in plain words), shown while there are no cards. */
  pending: string | null;
}

export function SegmentCards({ insights, k, noun, pending }: Props) {
  const profiles = insights.profiles && insights.k === k && !insights.stale ? insights.profiles : null;
  const headingId = useId();
  return (
    <section className="segment-cards" aria-labelledby={headingId} data-testid="segment-cards" data-k={profiles ? profiles.k : ''}>
      <h2 id={headingId} className="segment-cards-title">
        {profiles ? `${formatInt(profiles.clusters.length)} segments` : 'Segments'}
      </h2>
      {!profiles && (
        <p className="hint" data-testid="segment-cards-pending">
          {insights.error ? `The segments could not be described: ${insights.error.message}` : pending ? `${pending}…` : 'Open a log to see its segments.'}
        </p>
      )}
      {profiles && (
        // It scrolls when the segments outnumber the screen: focusable, so the keyboard scrolls it too.
        <div className="segment-card-list" role="region" aria-label="Segment cards" tabIndex={0}>
          {profiles.clusters.map((c) => (
            <SegmentCard key={c.cluster} profile={c} noun={noun} />
          ))}
          {profiles.tooLittleHistory && profiles.tooLittleHistory.size > 0 && (
            <article className="segment-card segment-card-rest" data-testid="segment-card-too-little" data-size={profiles.tooLittleHistory.size}>
              <h3>{profiles.tooLittleHistory.label}</h3>
              <p className="segment-size">
                {formatInt(profiles.tooLittleHistory.size)} {noun} · {formatPercent(profiles.tooLittleHistory.share)}
              </p>
              <p className="hint">Fewer than {formatInt(profiles.tooLittleHistory.minLength)} events each: not on the map yet.</p>
              <TopItems items={profiles.tooLittleHistory.topItems} />
            </article>
          )}
        </div>
      )}
    </section>
  );
}

function SegmentCard({ profile: c, noun }: { profile: ClusterProfile; noun: string }) {
  const headingId = useId();
  const money = useMoney();
  const color = clusterColor(c.cluster);
  return (
    <article
      className="segment-card"
      aria-labelledby={headingId}
      data-testid="segment-card"
      data-cluster={c.cluster}
      data-size={c.size}
      style={{ borderLeftColor: color }}
    >
      <h3 id={headingId}>
        <span className="swatch" style={{ background: color }} aria-hidden="true" />
        <span data-testid="segment-name">{c.label}</span>
      </h3>
      <p className="segment-size" data-testid="segment-size">
        {formatInt(c.size)} {noun} · {formatPercent(c.share)}
      </p>
      {c.traits && c.traits.length > 0 && (
        <ul className="segment-traits" data-testid="segment-traits" aria-label="What sets it apart">
          {c.traits.slice(0, 3).map((t) => (
            <li key={t.key} data-trait={t.key}>
              {traitText(t, money, noun)}
            </li>
          ))}
        </ul>
      )}
      <TopItems items={c.topItems} />
    </article>
  );
}

function TopItems({ items }: { items: RankedItem[] }) {
  const top = items.slice(0, TOP_ITEMS);
  if (top.length === 0) return null;
  return (
    <p className="segment-items" data-testid="segment-items">
      <span className="hint">Top items: </span>
      {top.map((it, i) => (
        <span key={it.item}>
          {i > 0 ? ', ' : ''}
          {it.title || it.id}
        </span>
      ))}
    </p>
  );
}
