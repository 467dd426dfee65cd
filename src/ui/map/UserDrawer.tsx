// One user's details, opened by clicking a point: their behaviour timeline and the recommendations
// of their cluster. A modal-like side drawer: focus moves in, Escape closes, focus goes back.
import { useEffect, useId, useRef, useState } from 'react';
import type { AnalysisClient } from '../../worker/client';
import type { UserDetails } from '../../worker/protocol';
import { formatInt } from '../common/format';
import { useMoney } from '../common/MoneyContext';
import { formatTime } from './pointText';

interface Props {
  client: AnalysisClient;
  index: number;
  k: number;
  /** The user's id and cluster name, known before the details arrive. */
  title: string;
  clusterName: string | null;
  onClose(): void;
}

type Load = { state: 'loading' } | { state: 'done'; details: UserDetails } | { state: 'error'; message: string };

export function UserDrawer({ client, index, k, title, clusterName, onClose }: Props) {
  const headingId = useId();
  const panel = useRef<HTMLDivElement>(null);
  const [load, setLoad] = useState<Load>({ state: 'loading' });

  useEffect(() => {
    let live = true;
    setLoad({ state: 'loading' });
    client.userDetails(index, k).then(
      (details) => live && setLoad({ state: 'done', details }),
      (e: unknown) => live && setLoad({ state: 'error', message: e instanceof Error ? e.message : String(e) }),
    );
    return () => {
      live = false;
    };
  }, [client, index, k]);

  // Focus in on open, back where it was on close.
  useEffect(() => {
    const before = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    panel.current?.focus();
    return () => {
      if (before?.isConnected) before.focus();
    };
  }, []);

  // Escape closes it even when focus has wandered back to the map (a click on another point keeps it open).
  const close = useRef(onClose);
  close.current = onClose;
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape' && !event.defaultPrevented) close.current();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  return (
    <div
      ref={panel}
      className="map-drawer"
      role="dialog"
      aria-modal="false"
      aria-labelledby={headingId}
      tabIndex={-1}
      data-testid="map-drawer"
      data-index={index}
      data-state={load.state}
    >
      <div className="map-drawer-head">
        <h3 id={headingId}>User {title}</h3>
        <button type="button" onClick={onClose} data-testid="map-drawer-close" aria-label="Close the user's details">
          Close
        </button>
      </div>
      {clusterName && <p className="hint">{clusterName}</p>}
      {load.state === 'loading' && <p className="hint">Loading the timeline…</p>}
      {load.state === 'error' && (
        <p className="alert" role="alert">
          The details could not be loaded: {load.message}
        </p>
      )}
      {load.state === 'done' && <Details details={load.details} />}
    </div>
  );
}

function Details({ details }: { details: UserDetails }) {
  const { timeline, recommendations, again, history } = details;
  // Lists learnt from every event (views too) speak of looking, not buying.
  const seen = history === 'events';
  const shown = timeline.events.length;
  // A column the log has nothing for (no categories, no prices) is left out rather than a column of dashes.
  const hasPrice = timeline.events.some((e) => e.price !== null);
  const money = useMoney();
  const hasCategory = timeline.events.some((e) => e.category);
  return (
    <>
      <h4>Behaviour</h4>
      <p className="hint" data-testid="map-timeline-count">
        {shown < timeline.total
          ? `Showing first ${formatInt(shown)} of ${formatInt(timeline.total)} events.`
          : `${formatInt(timeline.total)} event${timeline.total === 1 ? '' : 's'}.`}
      </p>
      {/* It scrolls for a long history: focusable, so the keyboard scrolls it too. */}
      <div className="table-scroll map-timeline" role="region" aria-label="Behaviour timeline" tabIndex={0}>
        <table className="data-table" data-testid="map-timeline">
          <thead>
            <tr>
              <th scope="col">Time (UTC)</th>
              <th scope="col">Event</th>
              <th scope="col">Item</th>
              {hasCategory && <th scope="col">Category</th>}
              {hasPrice && (
                <th scope="col" className="num">
                  Price × qty
                </th>
              )}
            </tr>
          </thead>
          <tbody>
            {timeline.events.map((e, j) => (
              <tr key={j} data-testid="map-timeline-row" data-line={e.line}>
                <td className="nowrap">{formatTime(e.time)}</td>
                <td>{e.type}</td>
                <td>
                  {e.title || e.item}
                  {e.title && <span className="hint"> ({e.item})</span>}
                </td>
                {hasCategory && <td>{e.category || '—'}</td>}
                {hasPrice && (
                  <td className="num nowrap">{e.price === null ? '—' : `${money.price(e.price)} × ${e.quantity === null ? 1 : formatInt(e.quantity)}`}</td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h4>New for this user</h4>
      <p className="hint" data-testid="map-recommendations-hint">
        {seen
          ? 'Items they have not looked at yet, from what similar visitors looked at (why: the signals behind each).'
          : 'Items they have not bought, from what similar customers bought (why: the signals behind each).'}
      </p>
      {recommendations.length === 0 ? (
        <p className="hint" data-testid="map-recommendations-empty">
          {seen
            ? 'Nothing to recommend: the log has no item this user has not looked at.'
            : 'Nothing to recommend: the log has no item this user has not bought.'}
        </p>
      ) : (
        <ItemList testId="map-recommendations" items={recommendations} />
      )}
      <h4>{seen ? 'Look again' : 'Buy again'}</h4>
      {again.length === 0 ? (
        <p className="hint" data-testid="map-again-empty">
          {seen
            ? 'Nothing to come back to: this user has looked at nothing yet (service lines are left out).'
            : 'No purchases to repeat: this user has bought nothing yet (service lines are left out).'}
        </p>
      ) : (
        <ItemList testId="map-again" items={again} />
      )}
    </>
  );
}

/** A ranked list of items, each with the reason it is there. Text from the file is shown as text. */
function ItemList({ testId, items }: { testId: string; items: UserDetails['recommendations'] }) {
  return (
    <ol className="map-recommendations" data-testid={testId}>
      {items.map((r) => (
        <li key={r.id} data-item={r.id}>
          {r.title || r.id}
          {r.title && <span className="hint"> ({r.id})</span>}
          {r.reason && (
            <span className="hint" data-testid="map-reason">
              {' '}
              · {r.reason}
            </span>
          )}
        </li>
      ))}
    </ol>
  );
}
