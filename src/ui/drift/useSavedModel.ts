// Page-side state of the saved segments model: saving the clustering on screen as a .seqlens file
// (its size shown), and applying a saved one to the log on screen (progress, cancel, a clear error
// for a damaged or foreign file). The applied clustering replaces the sweep on screen until another
// log is opened or a new sweep finishes; the drift view shows what changed.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { AnalysisReport } from '../../pipeline/types';
import type { AppliedModelWire, ApplyProgressWire, ModelFileWire } from '../../worker/protocol';
import { AnalysisError } from '../../worker/client';
import { saveBlob } from '../common/download';

/** What the hook needs of the analysis client. */
export interface ModelClient {
  saveModel(k: number): Promise<ModelFileWire>;
  applyModel(bytes: Uint8Array, name: string, opts: { update: boolean }, onProgress: (p: ApplyProgressWire) => void): Promise<AppliedModelWire>;
  cancelApply(): Promise<void>;
}

export type SaveState = { state: 'idle' } | { state: 'saving' } | { state: 'saved'; name: string; size: number } | { state: 'error'; message: string };

/** The last apply's course; a failed one leaves the model applied before it (if any) on screen. */
export type ApplyState =
  | { state: 'idle' }
  | { state: 'running'; fileName: string; progress: ApplyProgressWire | null }
  | { state: 'done'; fileName: string }
  | { state: 'error'; fileName: string; error: AnalysisError }
  | { state: 'cancelled'; fileName: string };

export interface SavedModelState {
  save: SaveState;
  apply: ApplyState;
  /** The applied model of the log on screen, if one was applied (and not replaced by a new sweep since). */
  applied: AppliedModelWire | null;
  update: boolean;
  setUpdate(update: boolean): void;
  saveModel(k: number): void;
  applyFile(file: File): void;
  cancel(): void;
  /** Hides the last apply's error or note. */
  dismiss(): void;
}

/**
 * `report`: the log on screen (a new one forgets the applied model); `sweepResult`: the page's own
 * sweep (one finishing after the apply replaces the applied clustering, the runner's too).
 */
export function useSavedModel(client: ModelClient, report: AnalysisReport | null, sweepResult: object | null): SavedModelState {
  const [save, setSave] = useState<SaveState>({ state: 'idle' });
  const [apply, setApply] = useState<ApplyState>({ state: 'idle' });
  const [update, setUpdate] = useState(false);
  /** The applied model with the report and sweep it ran on: another report, or a newer sweep, makes it stale. */
  const [appliedOn, setAppliedOn] = useState<{ result: AppliedModelWire; report: AnalysisReport; sweep: object | null } | null>(null);
  const generation = useRef(0);
  const sweepNow = useRef(sweepResult);
  sweepNow.current = sweepResult;

  // A new log: nothing saved or applied is about it.
  useEffect(() => {
    generation.current++;
    setSave({ state: 'idle' });
    setApply({ state: 'idle' });
    setAppliedOn(null);
  }, [report]);

  const saveModel = useCallback(
    (k: number) => {
      setSave({ state: 'saving' });
      client.saveModel(k).then(
        (file) => {
          saveBlob(file.name, new Blob([file.bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }));
          setSave({ state: 'saved', name: file.name, size: file.size });
        },
        (e: unknown) => setSave({ state: 'error', message: e instanceof Error ? e.message : String(e) }),
      );
    },
    [client],
  );

  const applyFile = useCallback(
    (file: File) => {
      if (!report) return;
      const id = ++generation.current;
      const current = () => generation.current === id;
      const on = report;
      setApply({ state: 'running', fileName: file.name, progress: null });
      file
        .arrayBuffer()
        .then((buffer) =>
          client.applyModel(new Uint8Array(buffer), file.name, { update }, (progress) => {
            if (current()) setApply({ state: 'running', fileName: file.name, progress });
          }),
        )
        .then(
          (result) => {
            if (!current()) return;
            setApply({ state: 'done', fileName: file.name });
            // The sweep on screen now (the apply cancelled any in flight): a later one replaces the applied clustering.
            setAppliedOn({ result, report: on, sweep: sweepNow.current });
          },
          (e: unknown) => {
            if (!current()) return;
            const error = e instanceof AnalysisError ? e : new AnalysisError({ message: e instanceof Error ? e.message : String(e), code: 'internal' });
            setApply(error.code === 'cancelled' ? { state: 'cancelled', fileName: file.name } : { state: 'error', fileName: file.name, error });
          },
        );
    },
    [client, report, update],
  );

  const cancel = useCallback(() => {
    client.cancelApply().catch(() => {});
  }, [client]);

  const dismiss = useCallback(() => setApply((a) => (a.state === 'running' ? a : { state: 'idle' })), []);

  const applied = appliedOn !== null && appliedOn.report === report && appliedOn.sweep === sweepResult ? appliedOn.result : null;

  return useMemo(
    () => ({ save, apply, applied, update, setUpdate, saveModel, applyFile, cancel, dismiss }),
    [save, apply, applied, update, saveModel, applyFile, cancel, dismiss],
  );
}
