import type { RejectSummary } from '../../pipeline/types';
import { formatInt } from '../common/format';
import { useMoney } from '../common/MoneyContext';
import type { Money } from '../common/money';

/** The pipeline's "(about 5,432 of revenue)" in the page's currency and locale. */
function effectText(effect: string, revenue: number | null | undefined, money: Money): string {
  if (revenue === null || revenue === undefined || revenue === 0) return effect;
  return effect.replace(/\(about [^)]* of revenue\)/, `(about ${money.whole(revenue)} of revenue)`);
}

export function RejectsTable({ rejected, onGroupBySession }: { rejected: RejectSummary; onGroupBySession?: () => void }) {
  const reasons = Object.entries(rejected.reasons);
  const money = useMoney();
  return (
    <section className="panel" aria-labelledby="rejects-heading">
      <h3 id="rejects-heading">Rejected rows</h3>
      {reasons.length === 0 ? (
        <p>No rows were rejected.</p>
      ) : (
        <table data-testid="rejects" className="data-table">
          <thead>
            <tr>
              <th scope="col">Reason</th>
              <th scope="col" className="num">
                Rows
              </th>
              <th scope="col">First lines</th>
            </tr>
          </thead>
          <tbody>
            {reasons.map(([reason, count]) => {
              const lines = rejected.examples[reason] ?? [];
              return (
                <tr key={reason} data-reason={reason} data-count={count}>
                  <th scope="row">{reason}</th>
                  <td className="num">{formatInt(count)}</td>
                  <td>
                    {lines.map(formatInt).join(', ')}
                    {count > lines.length && lines.length > 0 ? ', …' : ''}
                    {rejected.advice?.[reason] && (
                      <p className="hint" data-testid="reject-advice">
                        {rejected.advice[reason].cause} {effectText(rejected.advice[reason].effect, rejected.advice[reason].revenue, money)}{' '}
                        {rejected.advice[reason].keep ?? ''}
                        {onGroupBySession && reason === 'missing user id' && rejected.advice[reason].keep?.includes('session') && (
                          <>
                            {' '}
                            <button type="button" data-testid="group-by-session" onClick={onGroupBySession}>
                              Group by session
                            </button>
                          </>
                        )}
                      </p>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
