import { useState } from 'react';
import { ROLES, type Detection, type Role, type RoleMapping } from '../../pipeline/types';
import type { DateOrder } from '../../pipeline/ingest/timestamp';
import { ROLE_LABELS } from './roles';

const SAMPLE_VALUES = 3;

type Choice = Role | 'ignore';

interface Props {
  /** The columns to map; the panel is re-created when they change. */
  source: Detection;
  fileName: string;
  open: boolean;
  disabled: boolean;
  onOpenChange(open: boolean): void;
  /** `dateOrder`: how numeric dates are read; undefined leaves it to the file's dates. */
  onApply(mapping: RoleMapping, dateOrder?: DateOrder): void;
}

const ORDER_NAMES = { dmy: 'day/month (31/10/2019)', mdy: 'month/day (10/31/2019)' } as const;

/** What the reader did with numeric dates, in words. */
function dateOrderNote(source: Detection): string {
  const d = source.dateOrder;
  if (!d) return '';
  const how =
    d.how === 'set' ? 'as chosen here' : d.how === 'file' ? 'a date in the file shows it' : 'no date in the file tells: every day is 12 or less, so check this';
  return `Read as ${ORDER_NAMES[d.order]}: ${how}.`;
}

function choicesFrom(source: Detection): Choice[] {
  const choices: Choice[] = source.columns.map(() => 'ignore');
  for (const role of ROLES) {
    const column = source.mapping[role];
    if (column !== undefined && column < choices.length) choices[column] = role;
  }
  return choices;
}

export function MappingPanel({ source, fileName, open, disabled, onOpenChange, onApply }: Props) {
  const [choices, setChoices] = useState(() => choicesFrom(source));
  const [moved, setMoved] = useState('');
  const [dateOrder, setDateOrder] = useState<DateOrder>(() => (source.dateOrder?.how === 'set' ? source.dateOrder.order : 'auto'));

  const choose = (column: number, choice: Choice) => {
    const previous = choice === 'ignore' ? -1 : choices.findIndex((c, i) => c === choice && i !== column);
    // A role names one column: taking it for this column releases it elsewhere.
    setChoices(choices.map((c, i) => (i === column ? choice : i === previous ? 'ignore' : c)));
    setMoved(previous >= 0 && choice !== 'ignore' ? `${ROLE_LABELS[choice]} moved from “${source.columns[previous]}” to “${source.columns[column]}”.` : '');
  };

  const mapping: RoleMapping = {};
  choices.forEach((choice, column) => {
    if (choice !== 'ignore') mapping[choice] = column;
  });
  // The pipeline needs an item and something that says whose events they are.
  const missing =
    mapping.item === undefined
      ? 'Give one column the role Item ID.'
      : mapping.user === undefined && mapping.session === undefined && mapping.invoice === undefined
        ? 'Give one column the role User ID, Session ID or Invoice / order.'
        : '';

  return (
    <details className="panel mapping" data-testid="mapping" open={open} onToggle={(e) => onOpenChange(e.currentTarget.open)}>
      <summary>
        <h2>Column roles</h2>
      </summary>
      <p className="hint">
        What each column of <span className="file-name">{fileName}</span> means. Detected automatically; correct it here. Your choice is remembered for files
        with the same columns.
      </p>
      {source.columns.length === 0 ? (
        <p>The columns of this file could not be listed.</p>
      ) : (
        <div className="table-scroll">
          <table className="data-table">
            <thead>
              <tr>
                <th scope="col">Column</th>
                <th scope="col">Sample values</th>
                <th scope="col">Role</th>
              </tr>
            </thead>
            <tbody>
              {source.columns.map((name, column) => (
                <tr key={column}>
                  <th scope="row">
                    <label htmlFor={`role-${column}`}>{name || `(column ${column + 1})`}</label>
                  </th>
                  <td className="samples">
                    {source.samples
                      .slice(0, SAMPLE_VALUES)
                      .map((record) => record[column] ?? '')
                      .map((value, i) => (
                        <code key={i}>{value === '' ? '∅' : value}</code>
                      ))}
                  </td>
                  <td>
                    <select
                      id={`role-${column}`}
                      data-column={name}
                      value={choices[column]}
                      disabled={disabled}
                      onChange={(event) => choose(column, event.currentTarget.value as Choice)}
                    >
                      <option value="ignore">Ignore</option>
                      {ROLES.map((role) => (
                        <option key={role} value={role}>
                          {ROLE_LABELS[role]}
                        </option>
                      ))}
                    </select>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {mapping.time !== undefined && (
        <p className="date-order">
          <label htmlFor="date-order">Numeric dates (10/11/2019)</label>{' '}
          <select id="date-order" value={dateOrder} disabled={disabled} onChange={(event) => setDateOrder(event.currentTarget.value as DateOrder)}>
            <option value="auto">Decide from the file</option>
            <option value="dmy">Day first: {ORDER_NAMES.dmy}</option>
            <option value="mdy">Month first: {ORDER_NAMES.mdy}</option>
          </select>{' '}
          <span className="hint" data-testid="date-order-note">
            {dateOrderNote(source)}
          </span>
        </p>
      )}
      <p className="mapping-note" aria-live="polite">
        {[moved, missing].filter(Boolean).join(' ')}
      </p>
      <button
        type="button"
        className="primary"
        disabled={disabled || missing !== ''}
        onClick={() => onApply(mapping, dateOrder === 'auto' ? undefined : dateOrder)}
      >
        Apply mapping
      </button>
    </details>
  );
}
