// What SeqLens keeps in this browser (settings, caches, saved analyses, models, the
// pseudonymisation key), with sizes, and the means to delete any of it or all of it. Nothing
// leaves the browser; this panel is how a user checks that and cleans up.
import { useEffect, useState } from 'react';
import type { AnalysisClient } from '../../worker/client';
import type { PrivacySpentWire } from '../../worker/protocol';
import { formatEpsilon } from './budget';
import { formatBytes, formatInt } from '../common/format';
import { usePrivacyStorage, type PanelItem } from './usePrivacyStorage';
import { saveKeepLogs, useKeepLogs, type KeepLogs } from '../state/keepLogs';

/** Listed total and the browser's own count this far apart (either way) get an explanation. */
const USAGE_GAP = 0.2;

const KIND_NAMES: Record<PanelItem['kind'], string> = {
  indexeddb: 'Database',
  cache: 'Cached files',
  opfs: 'Files',
  memory: 'Memory',
  local: 'Settings',
  session: 'This tab',
};

function sizeOf(item: PanelItem): string {
  // Memory caches do not know their byte size; say where they are instead.
  if (item.kind === 'memory' && item.bytes === 0) return item.items > 0 ? 'in memory' : '—';
  return formatBytes(item.bytes);
}

/** `onWiped`: something was deleted, so panels that list stored things (saved analyses) read them again. */
export function PrivacyPanel({ client, onWiped }: { client: AnalysisClient; onWiped?: () => void }) {
  const storage = usePrivacyStorage(client, onWiped);
  const [confirming, setConfirming] = useState(false);
  const { view, busy, error } = storage;
  // The epsilon noised exports of the log on screen have spent, read again with the inventory.
  const [spent, setSpent] = useState<PrivacySpentWire | null>(null);
  useEffect(() => {
    let live = true;
    client.privacySpent().then(
      (s) => live && setSpent(s),
      () => live && setSpent(null),
    );
    return () => {
      live = false;
    };
  }, [client, view]);
  const keepLogs = useKeepLogs();
  const stored = view?.items.filter((x) => x.items > 0 || x.bytes > 0) ?? [];
  // Databases are listed while they exist, even empty (they are where things will go); an empty
  // memory cache is nothing to show.
  const rows = view?.items.filter((x) => x.kind !== 'memory' || x.items > 0) ?? [];

  return (
    <section className="panel privacy" aria-labelledby="privacy-heading" data-testid="privacy" data-busy={busy ? 'true' : 'false'}>
      <h2 id="privacy-heading">Stored in this browser</h2>
      <p className="hint">
        SeqLens sends nothing anywhere: your logs are read here, and what it keeps to be quick next time stays in this browser. Delete any of it below.
      </p>
      <p className="hint" data-testid="privacy-budget" data-spent={spent?.spent ?? 0} data-exports={spent?.exports ?? 0}>
        {spent
          ? `Differential privacy spent on ${spent.name}: epsilon ${formatEpsilon(spent.spent)} in total over ${spent.exports} noised ${spent.exports === 1 ? 'export' : 'exports'} from this browser. ` +
            'Each noised export adds its epsilon (sharing all of them is as private as one export with the sum). '
          : 'No noised export of the log on screen yet (each adds its epsilon to a running total kept here). '}
        The guarantee covers the profile counts given the clustering: the clusters themselves, their labels and the names listed are not made private.
      </p>
      {view && (
        <>
          <table className="privacy-table" data-testid="privacy-items">
            <thead>
              <tr>
                <th scope="col">What</th>
                <th scope="col">Where</th>
                <th scope="col" className="num">
                  Items
                </th>
                <th scope="col" className="num">
                  Size
                </th>
                <th scope="col">
                  <span className="visually-hidden">Delete</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((item) => (
                <tr key={item.id} data-testid="privacy-item" data-id={item.id} data-kind={item.kind} data-items={item.items} data-bytes={item.bytes}>
                  <td>
                    {item.label}
                    <span className="privacy-kind"> · {KIND_NAMES[item.kind]}</span>
                  </td>
                  <td className="privacy-where">{item.where}</td>
                  <td className="num">{formatInt(item.items)}</td>
                  <td className="num">{sizeOf(item)}</td>
                  <td>
                    <button
                      type="button"
                      className="link"
                      data-testid="privacy-delete"
                      disabled={busy || (item.items === 0 && item.bytes === 0)}
                      aria-label={`Delete ${item.label}`}
                      onClick={() => void storage.wipe([item.id])}
                    >
                      Delete
                    </button>
                  </td>
                </tr>
              ))}
              {stored.length === 0 && (
                <tr>
                  <td colSpan={5} className="hint" data-testid="privacy-empty">
                    Nothing is stored.
                  </td>
                </tr>
              )}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row">Total listed</th>
                <td />
                <td />
                <td className="num" data-testid="privacy-total" data-bytes={view.total}>
                  {formatBytes(view.total)}
                </td>
                <td />
              </tr>
            </tfoot>
          </table>
          {view.usage !== null && (
            <p className="hint" data-testid="privacy-quota" data-usage={view.usage}>
              The browser counts {formatBytes(view.usage)} used by this site
              {view.quota !== null ? ` of ${formatBytes(view.quota)} it allows` : ''} (its estimate includes the app's own files and overheads).
              {Math.abs(view.usage - view.total) > USAGE_GAP * Math.max(view.usage, view.total) && (
                <span data-testid="privacy-usage-gap">
                  {' '}
                  {view.usage < view.total
                    ? 'That is less than the total listed above: the list adds up the size of each thing kept, while the browser counts what it really wrote to disk, which it may compress, share between copies or not have written yet.'
                    : 'That is more than the total listed above: the browser also counts the app’s own cached files, its databases’ bookkeeping and space it has not given back yet after a deletion.'}
                </span>
              )}
            </p>
          )}
        </>
      )}
      <label className="privacy-keep-logs">
        Copies of the logs you open (a copy lets a reload reopen a log):{' '}
        <select
          data-testid="privacy-keep-logs"
          value={keepLogs}
          onChange={(e) => {
            saveKeepLogs(e.currentTarget.value as KeepLogs);
          }}
        >
          <option value="ask">Ask each time</option>
          <option value="always">Always keep a copy</option>
          <option value="never">Never keep a copy</option>
        </select>
      </label>
      <div className="privacy-actions">
        <button type="button" data-testid="privacy-refresh" disabled={busy} onClick={storage.refresh}>
          {busy ? 'Working…' : 'Refresh'}
        </button>
        {!confirming ? (
          <button type="button" className="danger" data-testid="privacy-wipe-all" disabled={busy || stored.length === 0} onClick={() => setConfirming(true)}>
            Delete everything stored by SeqLens
          </button>
        ) : (
          <span className="privacy-confirm" role="group" aria-label="Confirm deletion">
            <span>
              Delete all {formatInt(stored.length)} {stored.length === 1 ? 'store' : 'stores'}, including installed models, saved analyses, settings and the
              pseudonymisation key? This cannot be undone.
            </span>
            <button
              type="button"
              className="danger"
              data-testid="privacy-wipe-confirm"
              disabled={busy}
              onClick={() => {
                setConfirming(false);
                void storage.wipe('all');
              }}
            >
              Delete everything
            </button>
            <button type="button" data-testid="privacy-wipe-cancel" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </span>
        )}
      </div>
      {error && (
        <p className="alert" role="alert" data-testid="privacy-error">
          {error}
        </p>
      )}
    </section>
  );
}
