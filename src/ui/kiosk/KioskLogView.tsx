// The kiosk's log on screen: with the L key in kiosk mode, or alone at ?kiosk-log.
import { useState } from 'react';
import { formatMoment } from '../common/format';
import { clearKioskLog, readKioskLog } from './log';

export function KioskLogView({ onClose }: { onClose?(): void }) {
  const [entries, setEntries] = useState(() => readKioskLog());
  return (
    <section className="panel kiosk-log" data-testid="kiosk-log" aria-labelledby="kiosk-log-heading">
      <h2 id="kiosk-log-heading">Kiosk log ({entries.length})</h2>
      <p className="hint">Newest last. Kept in this browser only (localStorage, seqlens-kiosk-log).</p>
      <ol className="kiosk-log-entries">
        {entries.map((e, i) => (
          <li key={i} data-level={e.level}>
            {/* The app's one date style; the exact instant stays in the element for a reader or a copy. */}
            <time dateTime={e.at} title={e.at}>
              {formatMoment(Date.parse(e.at), true)}
            </time>{' '}
            · cycle {e.cycle} · <strong>{e.event}</strong>: {e.message}
          </li>
        ))}
      </ol>
      <p>
        <button type="button" onClick={() => setEntries(readKioskLog())}>
          Refresh
        </button>{' '}
        <button
          type="button"
          onClick={() => {
            clearKioskLog();
            setEntries([]);
          }}
        >
          Clear
        </button>{' '}
        {onClose && (
          <button type="button" onClick={onClose}>
            Close
          </button>
        )}
      </p>
    </section>
  );
}
