// Runs one Node ingest measurement in a fresh child process: a clean heap and RSS baseline per
// run, and a kernel high-water mark that belongs to that run alone.

import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface NodeIngestResult {
  rows: number;
  accepted: number;
  users: number;
  sessions: number;
  sequences: number;
  /** Wall time of analyzeStream: parse, sequence building and the report. */
  wallMs: number;
  readMs: number;
  sequencesMs: number;
  /** CPU time of the child (user + system, every thread) during analyzeStream: less sensitive to other load than wall time. */
  cpuMs: number;
  /** Threads that read the file (1, or more when it was read in parts on helper threads). */
  readThreads: number;
  baselineRss: number;
  /** Highest RSS above the baseline: the larger of the 20 ms samples and the kernel's maxRSS. */
  peakRssDelta: number;
  sampledPeakRssDelta: number;
}

const CHILD = fileURLToPath(new URL('./nodeIngestChild.ts', import.meta.url));

/** `threads`: threads that may read the file (1: the calling thread only); default: the CLI's choice. */
export function runNodeIngest(file: string, opts: { threads?: number } = {}): Promise<NodeIngestResult> {
  return new Promise((resolve, reject) => {
    const args = opts.threads === undefined ? [file] : [file, '--threads', String(opts.threads)];
    // The parent runs under tsx, so its execArgv carries tsx's loader; --expose-gc lets the child
    // collect start-up garbage before taking its baseline.
    const child = fork(CHILD, args, { execArgv: [...process.execArgv, '--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let result: NodeIngestResult | null = null;
    child.on('message', (m) => (result = m as NodeIngestResult));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0 && result) resolve(result);
      else reject(new Error(`Node ingest child exited with code ${code} for ${file}`));
    });
  });
}
