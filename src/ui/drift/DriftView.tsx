// How the segments changed between the log a saved model was made from and the log it was applied
// to: returning, new and lapsed customers, segment sizes then and now (bars and a table), a Sankey
// of the customers who moved, the same as a table (every returning customer, by segment then and
// now), items that appeared or vanished, and each segment's traits then and now. In plain words;
// the numbers come from the worker's DriftReport and are only arranged here (driftModel.ts).
import { useId, useMemo } from 'react';
import { driftJson, transitionsCsv } from '../../pipeline/drift/exports';
import type { AppliedModelWire } from '../../worker/protocol';
import { saveText } from '../common/download';
import { EChart, type BarChartOption } from '../common/EChart';
import { AXIS_COLOR, BAR_COLOR, GRID } from '../common/chartTheme';
import { formatDuration, formatInt, formatMoment, formatPercent } from '../common/format';
import { useMoney } from '../common/MoneyContext';
import { traitText } from '../insights/insightFormat';
import { DriftSankey } from './DriftSankey';
import { driftFileName, matrixTable, sankeyData, sizeRows, traitRows } from './driftModel';
import './drift.css';

/** Items listed by name on the page (the report holds up to 100 of each). */
const ITEMS_SHOWN = 20;
/** The bars of the old log: a light shade of the bar colour (drift.css's key matches it). */
const THEN_COLOR = '#a0b4e6';

/** Below this placement share the view says that the saved segments are only approximated on a new log. */
const PLACEMENT_NOTE_BELOW = 0.95;

/** What the view shows of an applied model: the worker's answer as it came. */
export type DriftInfo = Pick<AppliedModelWire, 'drift' | 'model' | 'update' | 'seconds' | 'unchanged' | 'placement'>;

interface Props {
  applied: DriftInfo;
  /** The log on screen (the one the model was applied to). */
  logName: string;
  noun: 'customers' | 'sessions';
}

export function DriftView({ applied, logName, noun }: Props) {
  const { drift: r, model } = applied;
  const headingId = useId();
  const sizes = useMemo(() => sizeRows(r), [r]);
  const sankey = useMemo(() => sankeyData(r), [r]);
  const matrix = useMemo(() => matrixTable(r), [r]);
  const money = useMoney();
  const traits = useMemo(() => traitRows(r, (t) => traitText(t, money, noun)), [r, money, noun]);
  const created = Date.parse(model.created);

  const barOption = useMemo<BarChartOption>(
    () => ({
      grid: { ...GRID, top: 28 },
      legend: undefined,
      tooltip: { trigger: 'axis', valueFormatter: (v) => formatInt(Number(v)) },
      yAxis: { type: 'category', inverse: true, data: sizes.map((s) => s.label), axisLabel: { color: AXIS_COLOR, width: 180, overflow: 'truncate' } },
      xAxis: { type: 'value', axisLabel: { color: AXIS_COLOR, formatter: (v: number) => formatInt(v) } },
      series: [
        { type: 'bar', name: 'Then', data: sizes.map((s) => s.before), itemStyle: { color: THEN_COLOR }, barMaxWidth: 18 },
        { type: 'bar', name: 'Now', data: sizes.map((s) => s.after), itemStyle: { color: BAR_COLOR }, barMaxWidth: 18 },
      ],
    }),
    [sizes],
  );
  const barLabel = `Bar chart of ${noun} per segment, then and now: ${sizes.map((s) => `${s.label} ${formatInt(s.before)} then, ${formatInt(s.after)} now`).join('; ')}.`;
  const sankeyLabel =
    sankey.links.length === 0
      ? `No returning ${noun} changed segment.`
      : `Sankey diagram of returning ${noun} who changed segment: ${sankey.links.map((l) => `${l.source} to ${l.target} ${formatInt(l.value)}`).join('; ')}.`;
  const movedShare = r.users.kept > 0 ? r.moved / r.users.kept : 0;

  return (
    <section
      className="panel drift"
      aria-labelledby={headingId}
      data-testid="drift-view"
      data-kept={r.users.kept}
      data-new={r.users.new}
      data-lost={r.users.lost}
      data-moved={r.moved}
    >
      <h2 id={headingId}>How your segments changed</h2>
      <p className="hint">
        The segments of <strong>{model.sourceFile}</strong>
        {Number.isFinite(created) ? ` (saved ${formatMoment(created)})` : ''} applied to <strong>{logName}</strong>, in {formatDuration(applied.seconds * 1000)}
        .
      </p>

      <dl className="stat-cards drift-counts">
        <Count label={`Returning ${noun}`} value={r.users.kept} note="in both logs" testId="drift-kept" />
        <Count label={`New ${noun}`} value={r.users.new} note="only in this log" testId="drift-new" />
        <Count label={`Lapsed ${noun}`} value={r.users.lost} note="not seen again" testId="drift-lost" />
        <Count
          label={`${capitalise(noun)} who moved`}
          value={r.moved}
          note={`${formatPercent(movedShare)} of returning ${noun} changed segment`}
          testId="drift-moved"
        />
      </dl>

      {applied.update && <UpdateNote update={applied.update} labels={r.labels} noun={noun} />}
      {applied.unchanged > 0 && (
        <p className="hint" data-testid="drift-unchanged">
          {formatInt(applied.unchanged)} returning {noun} did exactly what they did before and kept their segment.
        </p>
      )}
      {applied.placement != null && applied.placement < PLACEMENT_NOTE_BELOW && (
        <p className="drift-update" role="note" data-testid="drift-placement">
          These segments were drawn from the graph network, which cannot be rerun on a new log without training again. Changed and new {noun} are placed by what
          they bought and did instead, which puts {formatPercent(applied.placement)} of the saved log’s own {noun} in their segment: read small moves with care.
        </p>
      )}

      <div className="drift-grid">
        <figure className="chart-card">
          <figcaption>
            Segment sizes, <span className="drift-key drift-key-then">then</span> and <span className="drift-key drift-key-now">now</span>
          </figcaption>
          <EChart option={barOption} label={barLabel} testId="drift-sizes-chart" />
        </figure>
        <figure className="chart-card">
          <figcaption>
            {capitalise(noun)} who moved: {formatInt(r.moved)}
          </figcaption>
          {sankey.links.length > 0 ? (
            <DriftSankey data={sankey} k={r.k} noun={noun} label={sankeyLabel} />
          ) : (
            <p className="hint" data-testid="drift-sankey-empty">
              No returning {noun} changed segment.
            </p>
          )}
        </figure>
      </div>

      <div className="table-scroll">
        <table className="data-table drift-sizes" data-testid="drift-sizes">
          <caption>Segments then and now</caption>
          <thead>
            <tr>
              <th scope="col">Segment</th>
              <th scope="col" className="num">
                Then
              </th>
              <th scope="col" className="num">
                Now
              </th>
              <th scope="col" className="num">
                Change
              </th>
              <th scope="col" className="num">
                New {noun}
              </th>
              <th scope="col" className="num">
                Lapsed {noun}
              </th>
            </tr>
          </thead>
          <tbody>
            {sizes.map((s) => (
              <tr key={s.index} data-before={s.before} data-after={s.after}>
                <th scope="row">{s.label}</th>
                <td className="num">
                  {formatInt(s.before)} <span className="unit">{formatPercent(s.beforeShare)}</span>
                </td>
                <td className="num">
                  {formatInt(s.after)} <span className="unit">{formatPercent(s.afterShare)}</span>
                </td>
                <td className="num">{signed(s.change)}</td>
                <td className="num">{formatInt(r.newSegmentOfNew[s.index])}</td>
                <td className="num">{formatInt(r.lostBySegment[s.index])}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <div className="table-scroll">
        <table className="data-table drift-matrix" data-testid="drift-matrix" data-total={matrix.total}>
          <caption>
            Where returning {noun} went: segment then (rows) and now (columns). {formatInt(matrix.stayed)} stayed, {formatInt(r.moved)} moved.
          </caption>
          <thead>
            <tr>
              <th scope="col">Then \ Now</th>
              {matrix.labels.map((label, j) => (
                <th key={j} scope="col" className="num">
                  {label}
                </th>
              ))}
              <th scope="col" className="num">
                Total
              </th>
            </tr>
          </thead>
          <tbody>
            {matrix.cells.map((row, i) => (
              <tr key={i} data-row-total={matrix.rowTotals[i]}>
                <th scope="row">{matrix.labels[i]}</th>
                {row.map((v, j) => (
                  <td key={j} className={i === j ? 'num drift-stayed' : 'num'} data-value={v}>
                    {formatInt(v)}
                  </td>
                ))}
                <td className="num">{formatInt(matrix.rowTotals[i])}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">Total</th>
              {matrix.columnTotals.map((v, j) => (
                <td key={j} className="num">
                  {formatInt(v)}
                </td>
              ))}
              <td className="num">{formatInt(matrix.total)}</td>
            </tr>
          </tfoot>
        </table>
      </div>

      <div className="drift-grid">
        <ItemList title="Items that appeared" count={r.newItems} ids={r.newItemIds} titles={r.newItemTitles} testId="drift-new-items" empty="No new items." />
        <ItemList
          title="Items that vanished"
          count={r.vanishedItems}
          ids={r.vanishedItemIds}
          titles={r.vanishedItemTitles}
          testId="drift-vanished-items"
          empty="No item vanished."
        />
      </div>

      {traits.length > 0 && (
        <div className="table-scroll">
          <table className="data-table drift-traits" data-testid="drift-traits">
            <caption>What sets each segment apart, then and now</caption>
            <thead>
              <tr>
                <th scope="col">Segment</th>
                <th scope="col">Then</th>
                <th scope="col">Now</th>
              </tr>
            </thead>
            <tbody>
              {traits.map((t) => (
                <tr key={t.index}>
                  <th scope="row">{t.label}</th>
                  <td>{t.before.length > 0 ? t.before.join('; ') : '—'}</td>
                  <td>{t.after.length > 0 ? t.after.join('; ') : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <div className="drift-downloads">
        <button
          type="button"
          data-testid="drift-download-json"
          onClick={() => saveText(driftFileName(logName, 'drift.json'), driftJson(r), 'application/json')}
        >
          Download the changes (drift.json)
        </button>
        <button
          type="button"
          data-testid="drift-download-csv"
          onClick={() => saveText(driftFileName(logName, 'transitions.csv'), transitionsCsv(r), 'text/csv')}
        >
          Download who went where (transitions.csv)
        </button>
      </div>
    </section>
  );
}

function Count({ label, value, note, testId }: { label: string; value: number; note: string; testId: string }) {
  return (
    <div className="stat-card" data-testid={testId} data-value={value}>
      <dt>{label}</dt>
      <dd>
        <span className="stat-value">{formatInt(value)}</span>
        <span className="stat-note">{note}</span>
      </dd>
    </div>
  );
}

/** The busiest items first (computeDrift ranks them by events); a title where the log has one, with its id. */
function ItemList({
  title,
  count,
  ids,
  titles,
  testId,
  empty,
}: {
  title: string;
  count: number;
  ids: string[];
  titles?: string[];
  testId: string;
  empty: string;
}) {
  const shown = ids.slice(0, ITEMS_SHOWN).map((id, i) => (titles?.[i] ? `${titles[i]} (${id})` : id));
  return (
    <div className="drift-items" data-testid={testId} data-count={count}>
      <h3>
        {title}: {formatInt(count)}
        {count > 1 && <span className="hint"> · most events first</span>}
      </h3>
      {count === 0 ? (
        <p className="hint">{empty}</p>
      ) : (
        <p>
          {shown.join(titles?.some(Boolean) ? '; ' : ', ')}
          {count > shown.length ? <span className="hint"> and {formatInt(count - shown.length)} more</span> : null}
        </p>
      )}
    </div>
  );
}

function UpdateNote({ update, labels, noun }: { update: NonNullable<DriftInfo['update']>; labels: string[]; noun: string }) {
  const most = update.shift.reduce((best, v, i) => (v > update.shift[best] ? i : best), 0);
  return (
    <div className="drift-update" data-testid="drift-update" role="note">
      <p>
        The segments were updated with this log’s {noun}
        {update.shift.length > 0 ? `; “${labels[most]}” changed the most` : ''}.
      </p>
      {update.proposal && (
        <p data-testid="drift-proposal">
          {formatInt(update.proposal.size)} {noun} ({formatPercent(update.proposal.share)}) are far from every segment: they may be a new segment. Run a new
          analysis of this log to see it.
        </p>
      )}
    </div>
  );
}

function signed(n: number): string {
  return n > 0 ? `+${formatInt(n)}` : n < 0 ? `−${formatInt(-n)}` : '0';
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
