// The service lines of the log (postage, fees, discounts, manual adjustments): what was detected
// and why, with a switch per line to treat it as a product after all, a way to add a line the
// detection missed, and detection itself on or off. Every change re-makes the profiles and
// recommendations without the lines in effect. Ids and titles from the file are React text, never HTML.
import { useId, useState, type FormEvent } from 'react';
import { withServiceChoice, type ServiceSettings } from '../../pipeline/catalog/serviceSettings';
import { formatInt } from '../common/format';
import type { ServiceLinesState } from './useServiceLines';

/** Lines shown at most (a log where detection finds more is unusual; the count says how many). */
const MAX_SHOWN = 200;

export function ServiceLinesPanel({ state, disabled }: { state: ServiceLinesState; disabled: boolean }) {
  const { data, busy, error, change } = state;
  const headingId = useId();
  const inputId = useId();
  const [adding, setAdding] = useState('');
  if (!data) return null;
  const settings: ServiceSettings = data.settings;
  const off = disabled || busy;
  const choose = (id: string, service: boolean, detected: boolean) => change(withServiceChoice(settings, id, service, detected));
  const add = (e: FormEvent) => {
    e.preventDefault();
    const id = adding.trim();
    if (id === '') return;
    const line = data.lines.find((l) => l.id === id);
    choose(id, true, line?.detected ?? false);
    setAdding('');
  };
  const shown = data.lines.slice(0, MAX_SHOWN);
  return (
    <section
      className="panel service-lines"
      aria-labelledby={headingId}
      data-testid="service-lines"
      data-count={data.count}
      data-version={data.version}
      aria-busy={busy}
    >
      <h2 id={headingId}>Service lines</h2>
      <p className="hint">
        Postage, fees, discounts, vouchers and manual adjustments are not products: the lines below marked as service lines are left out of the cluster profiles
        (top items, terms, funnel, revenue and average order value, which count products only) and of the recommendations. They were found by their title, their
        id and how their price behaves; change any of them.
      </p>
      <p data-testid="service-lines-summary">
        {data.count === 0 ? 'No service lines' : `${formatInt(data.count)} service line${data.count === 1 ? '' : 's'}`} among {formatInt(data.items)} items.
      </p>
      <label className="checkbox">
        <input
          type="checkbox"
          checked={settings.mode === 'auto'}
          disabled={off}
          onChange={(e) => change({ ...settings, mode: e.target.checked ? 'auto' : 'off' })}
          data-testid="service-lines-auto"
        />{' '}
        Detect service lines automatically
      </label>
      {error && (
        <p role="alert" className="alert" data-testid="service-lines-error">
          {error.message}
        </p>
      )}
      {shown.length > 0 && (
        <div className="table-scroll">
          <table className="data-table" data-testid="service-lines-table">
            <thead>
              <tr>
                <th scope="col">Item</th>
                <th scope="col">Title</th>
                <th scope="col">Why</th>
                <th scope="col" className="num">
                  Rows
                </th>
                <th scope="col">Service line</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((l) => (
                <tr key={l.item} data-testid="service-line" data-id={l.id} data-service={l.service ? 'true' : 'false'}>
                  <th scope="row">{l.id}</th>
                  <td>{l.title}</td>
                  <td>{l.reason}</td>
                  <td className="num">{formatInt(l.rows)}</td>
                  <td>
                    <label>
                      <input
                        type="checkbox"
                        checked={l.service}
                        disabled={off}
                        onChange={(e) => choose(l.id, e.target.checked, l.detected)}
                        aria-label={`Treat ${l.id} as a service line`}
                      />{' '}
                      {l.service ? 'yes' : 'no, a product'}
                    </label>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {data.lines.length > shown.length && (
        <p className="hint">{formatInt(data.lines.length - shown.length)} more not shown; they are left out all the same.</p>
      )}
      <form className="service-lines-add" onSubmit={add}>
        <label htmlFor={inputId}>Item id</label>{' '}
        <input id={inputId} value={adding} onChange={(e) => setAdding(e.target.value)} disabled={off} data-testid="service-lines-input" />{' '}
        <button type="submit" disabled={off || adding.trim() === ''}>
          Mark as service line
        </button>
      </form>
      {data.unknown.length > 0 && (
        <p role="status" className="hint" data-testid="service-lines-unknown">
          Not items of this log, so nothing changed for them: {data.unknown.join(', ')}.{' '}
          <button
            type="button"
            disabled={off}
            onClick={() =>
              change({
                ...settings,
                service: settings.service.filter((x) => !data.unknown.includes(x)),
                product: settings.product.filter((x) => !data.unknown.includes(x)),
              })
            }
          >
            Forget {data.unknown.length === 1 ? 'it' : 'them'}
          </button>
        </p>
      )}
    </section>
  );
}
