// Asks before the opened log itself is copied into the browser's storage (the page keeps only how
// it was read until then): a copy lets a reload reopen it, and it never leaves this machine.
// "Remember my answer" makes it always or never; the privacy panel changes that later.
import { useState } from 'react';
import { MAX_KEPT_FILE_BYTES } from '../../worker/protocol';
import { formatBytes } from '../common/format';
import { saveKeepLogs, useKeepLogs } from './keepLogs';
import type { SavedAnalysesState } from './useSavedAnalyses';

export function KeepLogPrompt({ saved }: { saved: SavedAnalysesState }) {
  const [answered, setAnswered] = useState<Set<string>>(() => new Set());
  const [remember, setRemember] = useState(false);
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState<string | null>(null);
  const setting = useKeepLogs();
  const list = saved.list;
  const current = list?.current ? list.analyses.find((a) => a.id === list.current) : undefined;
  // A larger log is never copied: nothing to ask.
  if (!current || current.demo || current.fileKept || current.bytes > MAX_KEPT_FILE_BYTES) return null;
  if (answered.has(current.id) || setting !== 'ask') return null;

  const answer = async (keep: boolean) => {
    if (remember) saveKeepLogs(keep ? 'always' : 'never');
    setFailed(null);
    if (keep) {
      setBusy(true);
      try {
        await saved.keepCurrent();
      } catch (e) {
        setFailed(e instanceof Error ? e.message : String(e));
        setBusy(false);
        return;
      }
      setBusy(false);
    }
    setAnswered((a) => new Set(a).add(current.id));
  };

  return (
    <section className="keep-log" aria-labelledby="keep-log-heading" data-testid="keep-log" data-name={current.name}>
      <h2 id="keep-log-heading" className="keep-log-title">
        Keep a copy of {current.name} ({formatBytes(current.bytes)}) in this browser, so that a reload reopens it?
      </h2>
      <div className="keep-log-actions">
        <button type="button" className="primary" data-testid="keep-log-yes" disabled={busy} onClick={() => void answer(true)}>
          {busy ? 'Keeping…' : 'Keep a copy'}
        </button>
        <button type="button" data-testid="keep-log-no" disabled={busy} onClick={() => void answer(false)}>
          Don&rsquo;t keep
        </button>
        <label>
          <input type="checkbox" data-testid="keep-log-remember" checked={remember} onChange={(e) => setRemember(e.currentTarget.checked)} /> Remember my answer
        </label>
        <span className="hint">It stays on this machine; &ldquo;Stored in this browser&rdquo; lists and deletes it.</span>
      </div>
      {failed && (
        <p role="alert" className="alert">
          The copy could not be kept: {failed}
        </p>
      )}
    </section>
  );
}
