// Runs the pipeline off the main thread and keeps the last file and analysis, so remapping and
// regrouping never ask the page to send the file again.
import * as Comlink from 'comlink';
import { analyzeStream, regroup as regroupAnalysis, type Analysis, type CancelToken } from '../pipeline/analyze';
import { LogError, type AnalysisReport, type RoleMapping, type SequenceOptions } from '../pipeline/types';
import {
  DEMO_FILE_NAME,
  type AnalysisWorkerApi,
  type AnalyzeRequest,
  type ProgressCallback,
  type WireError,
} from './protocol';

interface Source {
  file: Blob;
  name: string;
}

/** The last successful analysis and the file it came from: what a cancel or error falls back to. */
let kept: (Source & { analysis: Analysis }) | null = null;
/** The last file that failed for want of a user or item column, to be mapped by hand. */
let unrecognised: Source | null = null;
let running: CancelToken | null = null;

async function run(source: Source, req: AnalyzeRequest, onProgress: ProgressCallback): Promise<AnalysisReport> {
  if (running) running.cancelled = true;
  const token: CancelToken = { cancelled: false };
  running = token;
  // Progress is fire-and-forget: awaiting each round trip to the page would slow the read down.
  const progress: ProgressCallback = (p) => void Promise.resolve(onProgress(p)).catch(() => {});
  try {
    const analysis = await analyzeStream(source.file.stream(), {
      fileName: source.name,
      totalBytes: source.file.size,
      mapping: req.mapping,
      // A mapping the user chose before for this column layout, picked once the columns are known.
      mappingFor: req.mapping ? undefined : (d) => req.savedMappings?.[d.layoutKey],
      sequence: req.sequence,
      onProgress: progress,
      cancel: token,
    });
    // A pipeline that finished despite a late cancel must not replace what the page still shows.
    if (token.cancelled) throw new LogError('Cancelled.', 'cancelled');
    kept = { ...source, analysis };
    return analysis.report;
  } catch (e) {
    const wire = toWire(e);
    if (wire.detection && !token.cancelled) unrecognised = source;
    throw wire;
  } finally {
    if (running === token) running = null;
    releaseProxy(onProgress);
  }
}

function toWire(e: unknown): WireError {
  if (e instanceof LogError) {
    const wire: WireError = { message: e.message, code: e.code, line: e.line };
    if (e.code === 'no-user-or-item' && e.detection) wire.detection = e.detection;
    return wire;
  }
  const message = e instanceof Error ? e.message : String(e);
  return { message: `Unexpected error while analysing: ${message}`, code: 'internal' };
}

function releaseProxy(callback: unknown): void {
  const release = (callback as { [Comlink.releaseProxy]?: () => void })[Comlink.releaseProxy];
  if (typeof release === 'function') release.call(callback);
}

const api: AnalysisWorkerApi = {
  analyzeFile(file, name, req, onProgress) {
    return run({ file, name }, req, onProgress);
  },

  async analyzeDemo(req, onProgress) {
    const url = new URL(`demo/${DEMO_FILE_NAME}`, self.location.origin + import.meta.env.BASE_URL);
    let file: Blob;
    try {
      const response = await fetch(url);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      file = await response.blob();
    } catch (e) {
      releaseProxy(onProgress);
      const reason = e instanceof Error ? e.message : String(e);
      throw {
        message: `The demo data could not be loaded (${reason}). Reload the page, or open a file of your own.`,
        code: 'unreadable',
      } satisfies WireError;
    }
    return run({ file, name: DEMO_FILE_NAME }, req, onProgress);
  },

  async remap(which, mapping, sequence, onProgress) {
    const target = which === 'unrecognised' ? unrecognised : kept;
    if (!target) {
      releaseProxy(onProgress);
      throw { message: 'Open a file first, then choose its column roles.', code: 'internal' } satisfies WireError;
    }
    return run(target, { mapping, sequence }, onProgress);
  },

  async regroup(sequence: SequenceOptions) {
    if (!kept) throw { message: 'Open a file first, then change how it is grouped.', code: 'internal' } satisfies WireError;
    try {
      kept.analysis = regroupAnalysis(kept.analysis, sequence);
    } catch (e) {
      throw toWire(e);
    }
    return kept.analysis.report;
  },

  cancel() {
    if (running) running.cancelled = true;
  },
};

Comlink.expose(api);
