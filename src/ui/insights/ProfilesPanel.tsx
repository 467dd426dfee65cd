// What each segment of shoppers did, one card per segment, and two segments side by side. Every
// string from the file (ids, titles, categories, labels) is rendered as React text, never as HTML:
// a log is untrusted input.
import { useId, useState } from 'react';
import type { ClusterProfile, ClusterProfiles, Funnel, RankedItem, RankedName } from '../../pipeline/profile/types';
import type { RecommendationsWire, RecommendedItemWire } from '../../worker/protocol';
import { clusterColor } from '../common/chartTheme';
import { formatInt, formatPercent } from '../common/format';
import { useMoney } from '../common/MoneyContext';
import { comparisonRows } from './comparison';
import { formatLength, formatLift, formatRate, traitText } from './insightFormat';
import type { InsightsState } from './useInsights';

/** Entries shown of each ranked list on a card (the worker may send more). */
const LIST_LENGTH = 5;

/** noun: what one member is, 'customers' or 'sessions' (when the log is grouped by session). */
export function ProfilesPanel({ insights, noun = 'customers' }: { insights: InsightsState; noun?: 'customers' | 'sessions' }) {
  const { profiles, recommendations, loading, error, stale } = insights;
  return (
    <section
      className="panel insights"
      aria-labelledby="insights-heading"
      data-testid="insights"
      data-k={profiles?.k ?? ''}
      data-users={profiles?.users ?? ''}
      data-loading={loading ? 'true' : 'false'}
      data-stale={stale ? 'true' : 'false'}
    >
      <h2 id="insights-heading">Segment profiles</h2>
      <p className="hint">
        What the {noun} of each segment did: how many bought, how much they spent and what they looked at most. Lift compares a segment&rsquo;s share with
        everybody&rsquo;s (×2.0: twice as common here).
      </p>
      {error && (
        <div role="alert" className="alert" data-testid="insights-error" data-code={error.code}>
          <div>
            <p className="alert-title">The profiles could not be made</p>
            <p>{error.message}</p>
          </div>
        </div>
      )}
      {!profiles && loading && (
        <p className="status" role="status" data-testid="insights-loading">
          Describing the segments…
        </p>
      )}
      {!profiles && !loading && !error && (
        <p className="hint" data-testid="insights-waiting">
          The profiles follow the segments.
        </p>
      )}
      {profiles && stale && (
        <p className="hint" data-testid="insights-stale">
          {loading ? 'Updating the profiles for the segments on screen…' : 'These profiles belong to the previous segments.'}
        </p>
      )}
      {profiles && (
        <div className={`insights-body${stale ? ' stale' : ''}`} aria-busy={stale}>
          <Overview profiles={profiles} method={recommendations?.method ?? null} noun={noun} />
          <div className="profile-grid">
            {profiles.clusters.map((c) => (
              <ProfileCard
                key={`${profiles.k}-${c.cluster}`}
                profile={c}
                profiles={profiles}
                noun={noun}
                recommended={recommendations && recommendations.k === profiles.k ? (recommendations.clusters[c.cluster] ?? []) : null}
              />
            ))}
          </div>
          {profiles.tooLittleHistory && <TooLittleHistoryCard group={profiles.tooLittleHistory} hasPrice={profiles.hasPrice} />}
          {profiles.clusters.length >= 2 && <Comparison key={profiles.k} profiles={profiles} noun={noun} />}
        </div>
      )}
    </section>
  );
}

function Overview({ profiles, method, noun }: { profiles: ClusterProfiles; method: RecommendationsWire['method'] | null; noun: string }) {
  const o = profiles.overall;
  const money = useMoney();
  const formatAmount = money.format;
  return (
    <p className="profile-overview" data-testid="insights-overview">
      {formatInt(profiles.users)} {noun} in {profiles.clusters.length} segments; overall{' '}
      {formatRate(o.funnel.viewToPurchase ?? (o.size > 0 ? o.funnel.buyers / o.size : null))}{' '}
      {o.funnel.viewToPurchase !== null ? 'of viewers bought' : 'bought'}
      {profiles.hasPrice && (
        <>
          , revenue {formatAmount(o.revenue)}, average order {formatAmount(o.aov)}
        </>
      )}
      .
      {(profiles.excludedItems ?? 0) > 0 && (
        <span className="hint" data-testid="insights-service-lines">
          {' '}
          {formatInt(profiles.excludedItems!)} service line{profiles.excludedItems === 1 ? '' : 's'} (postage, fees…) left out
          {profiles.hasPrice ? ', revenue counts products only' : ''}.
        </span>
      )}
      {method && (
        <span className="hint">
          {' '}
          Recommendations: {method === 'gcn+behaviour' ? 'what shoppers alike bought together, and what the segment did' : 'what the segment did'}.
        </span>
      )}
    </p>
  );
}

function ProfileCard({
  profile: c,
  profiles,
  noun,
  recommended,
}: {
  profile: ClusterProfile;
  profiles: ClusterProfiles;
  noun: string;
  recommended: RecommendedItemWire[] | null;
}) {
  const headingId = useId();
  const money = useMoney();
  const formatAmount = money.format;
  const one = noun.replace(/s$/, '');
  return (
    <article
      className="profile-card"
      aria-labelledby={headingId}
      data-testid="profile-card"
      data-cluster={c.cluster}
      data-size={c.size}
      style={{ borderTopColor: clusterColor(c.cluster) }}
    >
      <h3 id={headingId}>
        <span className="swatch" style={{ background: clusterColor(c.cluster) }} aria-hidden="true" /> Segment {c.cluster}
        <span className="profile-label" data-testid="profile-label">
          {c.label}
        </span>
      </h3>
      <p className="profile-size" data-testid="profile-size">
        {formatInt(c.size)} {noun} · {formatPercent(c.share)} of all
      </p>

      {c.traits && c.traits.length > 0 && (
        <div className="profile-list">
          <h4>What sets it apart</h4>
          <ul className="profile-traits" data-testid="profile-traits">
            {c.traits.slice(0, 3).map((t) => (
              <li key={t.key} data-trait={t.key}>
                <strong>{t.word}</strong>: {traitText(t, money, noun)}
              </li>
            ))}
          </ul>
        </div>
      )}

      <FunnelBars funnel={c.funnel} size={c.size} overall={profiles.overall.funnel} />

      <dl className="profile-facts">
        <dt>Events per {one}</dt>
        <dd data-testid="profile-length">
          mean {formatLength(c.length.mean)}, median {formatLength(c.length.median)}
        </dd>
        {profiles.hasPrice && (
          <>
            <dt>Revenue</dt>
            <dd data-testid="profile-revenue">
              {formatAmount(c.revenue)}
              {c.revenuePerUser !== null && (
                <span className="hint">
                  {' '}
                  ({formatAmount(c.revenuePerUser)} per {one})
                </span>
              )}
            </dd>
            <dt>Average order</dt>
            <dd data-testid="profile-aov">
              {formatAmount(c.aov)}
              {c.orders !== null && <span className="hint"> over {formatInt(c.orders)} orders</span>}
            </dd>
          </>
        )}
      </dl>

      {profiles.hasCategories && <NameList title="Top categories" names={c.topCategories} testId="profile-categories" />}
      {profiles.hasBrands && <NameList title="Top brands" names={c.topBrands} testId="profile-brands" />}
      <ItemList items={c.topItems} />
      {c.terms.length > 0 && (
        <div className="profile-list">
          <h4>Distinguishing terms{profiles.termSource === 'categories' ? ' (of category and brand names)' : ''}</h4>
          <p className="profile-terms" data-testid="profile-terms">
            {c.terms.slice(0, 8).map((t, i) => (
              <span key={i} className="chip" title={`score ${t.score.toFixed(3)}`}>
                {t.term}
              </span>
            ))}
          </p>
        </div>
      )}
      {recommended && (
        <div className="profile-list">
          <h4>Recommended items</h4>
          {recommended.length === 0 ? (
            <p className="hint">No items to recommend.</p>
          ) : (
            <ol className="profile-recommendations" data-testid="profile-recommendations">
              {recommended.slice(0, 10).map((r, i) => (
                <li key={i} data-item={r.id}>
                  <ItemName id={r.id} title={r.title} />
                </li>
              ))}
            </ol>
          )}
        </div>
      )}
    </article>
  );
}

/** The customers under the minimum history: not clustered, but a group of their own (cluster -1 in the exports). */
function TooLittleHistoryCard({ group: g, hasPrice }: { group: NonNullable<ClusterProfiles['tooLittleHistory']>; hasPrice: boolean }) {
  const headingId = useId();
  const money = useMoney();
  const formatAmount = money.format;
  return (
    <article className="profile-card" aria-labelledby={headingId} data-testid="profile-too-little" data-size={g.size}>
      <h3 id={headingId}>
        <span className="profile-label">{g.label}</span>
      </h3>
      <p className="profile-size">
        {formatInt(g.size)} customers · {formatPercent(g.share)} of everybody
      </p>
      <p className="hint">
        Fewer than {formatInt(g.minLength)} events each: too little to place them on the map or in a segment yet. They are in every export (segment number -1)
        with their buy-again and popular lists; lower the minimum history under How the segments were made to place them.
      </p>
      {hasPrice && (
        <dl className="profile-facts">
          <dt>Revenue</dt>
          <dd>{formatAmount(g.revenue)}</dd>
        </dl>
      )}
      <ItemList items={g.topItems} />
    </article>
  );
}

function FunnelBars({ funnel, size, overall }: { funnel: Funnel; size: number; overall: Funnel }) {
  // Steps nobody in the whole log took (no views in invoice lines) are left out rather than drawn empty.
  const steps = [
    { name: 'Viewed', users: funnel.viewers, shown: overall.viewers > 0 },
    { name: 'Carted', users: funnel.carters, shown: overall.carters > 0 },
    { name: 'Bought', users: funnel.buyers, shown: true },
  ].filter((s) => s.shown);
  const rates = [
    funnel.viewToCart !== null && overall.carters > 0 && `${formatRate(funnel.viewToCart)} of viewers carted`,
    funnel.cartToPurchase !== null && `${formatRate(funnel.cartToPurchase)} of carters bought`,
    funnel.viewToPurchase !== null && `${formatRate(funnel.viewToPurchase)} of viewers bought`,
    funnel.returners > 0 && `${formatInt(funnel.returners)} returned something`,
  ].filter((r): r is string => typeof r === 'string');
  return (
    <div className="profile-funnel" data-testid="profile-funnel" data-viewers={funnel.viewers} data-carters={funnel.carters} data-buyers={funnel.buyers}>
      <h4>Funnel</h4>
      {funnel.viewers === 0 && (
        <p className="hint" data-testid="profile-no-views">
          {overall.viewers > 0 ? 'No views in this segment.' : 'No views in this log (it records purchases only), so view conversions are undefined.'}
        </p>
      )}
      <ul className="funnel-bars">
        {steps.map((s) => {
          const fraction = size > 0 ? s.users / size : 0;
          return (
            <li key={s.name}>
              <span className="funnel-name">{s.name}</span>
              <span className="funnel-track" aria-hidden="true">
                <span className="funnel-fill" style={{ width: `${Math.min(100, fraction * 100)}%` }} />
              </span>
              <span className="funnel-value">
                {formatInt(s.users)} ({formatPercent(fraction)})
              </span>
            </li>
          );
        })}
      </ul>
      {rates.length > 0 && (
        <p className="hint funnel-rates" data-testid="profile-conversions">
          {rates.join('; ')}.
        </p>
      )}
    </div>
  );
}

function NameList({ title, names, testId }: { title: string; names: RankedName[]; testId: string }) {
  if (names.length === 0) return null;
  return (
    <div className="profile-list">
      <h4>{title}</h4>
      <ol data-testid={testId}>
        {names.slice(0, LIST_LENGTH).map((n, i) => (
          <li key={i}>
            <span className="profile-name">{n.name}</span>{' '}
            <span className="hint">
              {formatPercent(n.share)}, lift {formatLift(n.lift)}
            </span>
          </li>
        ))}
      </ol>
    </div>
  );
}

function ItemList({ items }: { items: RankedItem[] }) {
  if (items.length === 0) return null;
  return (
    <div className="profile-list">
      <h4>Top items</h4>
      <ol data-testid="profile-items">
        {items.slice(0, LIST_LENGTH).map((it, i) => (
          <li key={i} data-item={it.id}>
            <ItemName id={it.id} title={it.title} />{' '}
            <span className="hint">
              {formatPercent(it.share)}, lift {formatLift(it.lift)}
            </span>
          </li>
        ))}
      </ol>
    </div>
  );
}

function ItemName({ id, title }: { id: string; title: string }) {
  if (!title) return <span className="profile-name">{id}</span>;
  return (
    <>
      <span className="profile-name">{title}</span> <span className="hint item-id">{id}</span>
    </>
  );
}

// ---- comparison ----

function Comparison({ profiles, noun }: { profiles: ClusterProfiles; noun: string }) {
  const money = useMoney();
  const idA = useId();
  const idB = useId();
  const count = profiles.clusters.length;
  const [pick, setPick] = useState<[number, number]>([0, 1]);
  const a = profiles.clusters[Math.min(pick[0], count - 1)];
  const b = profiles.clusters[Math.min(pick[1], count - 1)];
  const rows = comparisonRows(profiles, a, b, money, noun);
  const options = profiles.clusters.map((c) => (
    <option key={c.cluster} value={c.cluster}>
      Segment {c.cluster} — {c.label}
    </option>
  ));
  return (
    <div className="profile-compare" data-testid="profile-compare">
      <h3>Compare two segments</h3>
      <form className="options-form compare-pickers" onSubmit={(event) => event.preventDefault()}>
        <div className="field">
          <label htmlFor={idA}>Segment A</label>
          <select
            id={idA}
            data-testid="compare-a"
            title={`Segment ${a.cluster} — ${a.label}`}
            value={a.cluster}
            onChange={(e) => setPick([Number(e.currentTarget.value), pick[1]])}
          >
            {options}
          </select>
        </div>
        <div className="field">
          <label htmlFor={idB}>Segment B</label>
          <select
            id={idB}
            data-testid="compare-b"
            title={`Segment ${b.cluster} — ${b.label}`}
            value={b.cluster}
            onChange={(e) => setPick([pick[0], Number(e.currentTarget.value)])}
          >
            {options}
          </select>
        </div>
      </form>
      <div className="table-scroll">
        <table className="data-table" data-testid="compare-table" data-a={a.cluster} data-b={b.cluster}>
          <caption>
            Segment {a.cluster} (A) against segment {b.cluster} (B); the difference is B against A: percentage points for rates, a multiple for amounts.
          </caption>
          <thead>
            <tr>
              <th scope="col">Measure</th>
              <th scope="col" className="num">
                <span className="swatch" style={{ background: clusterColor(a.cluster) }} aria-hidden="true" /> A: segment {a.cluster}
              </th>
              <th scope="col" className="num">
                <span className="swatch" style={{ background: clusterColor(b.cluster) }} aria-hidden="true" /> B: segment {b.cluster}
              </th>
              <th scope="col" className="num">
                Difference
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.test} data-measure={r.test}>
                <th scope="row">{r.name}</th>
                <td className={r.text ? undefined : 'num'} data-col="a">
                  {r.a}
                </td>
                <td className={r.text ? undefined : 'num'} data-col="b">
                  {r.b}
                </td>
                <td className="num" data-col="diff">
                  {r.diff}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
