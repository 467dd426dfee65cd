// "How the segments were made": the columns, sequence options, encoder, graph network and K panels
// in one collapsible area. Closed for a merchant's first visit; an analyst who opens it finds it open
// next time (remembered in this browser).
import { useState, type ReactNode } from 'react';

export const ANALYST_DETAILS_KEY = 'seqlens.analystDetails';

function remembered(): boolean {
  try {
    return localStorage.getItem(ANALYST_DETAILS_KEY) === 'open';
  } catch {
    return false;
  }
}

export function AnalystDetails({ children }: { children: ReactNode }) {
  const [open, setOpen] = useState(remembered);
  return (
    <details
      className="analyst-details"
      data-testid="analyst-details"
      open={open}
      onToggle={(e) => {
        const next = e.currentTarget.open;
        setOpen(next);
        try {
          localStorage.setItem(ANALYST_DETAILS_KEY, next ? 'open' : 'closed');
        } catch {
          // Storage off: the area still opens and closes, it is just not remembered.
        }
      }}
    >
      <summary>
        <span className="analyst-details-title">How the segments were made</span>{' '}
        <span className="hint">columns, grouping, the behaviour model, the graph network and the number of segments: for analysts</span>
      </summary>
      <div className="analyst-details-body">{children}</div>
    </details>
  );
}
