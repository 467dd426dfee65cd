import type { RejectSummary } from '../../pipeline/types';
import { formatInt } from '../common/format';

export function RejectsTable({ rejected, onGroupBySession }: { rejected: RejectSummary; onGroupBySession?: () => void }) {
  const reasons = Object.entries(rejected.reasons);
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
                        {rejected.advice[reason].cause} {rejected.advice[reason].effect} {rejected.advice[reason].keep ?? ''}
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
