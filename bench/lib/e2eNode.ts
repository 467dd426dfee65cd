// Runs the whole pipeline in Node in a fresh child process (bench/lib/e2eNodeChild.ts): a clean
// heap and RSS baseline, and a kernel high-water mark that belongs to this run alone.

import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface NodeE2eOptions {
  model: string;
  gcnEpochs: number;
  kMin: number;
  kMax: number;
}

export interface NodeStage {
  name: string;
  ms: number;
  /** Peak RSS of the process during the stage (20 ms samples, or the kernel's maxRSS when the stage raised it). */
  peakRss: number;
  /** Longest event-loop block during the stage (the pipeline runs on Node's main thread, as in the CLI). */
  longestBlockMs: number;
  note: string;
}

export interface NodeE2eResult {
  rows: number;
  users: number;
  items: number;
  sequences: number;
  k: number;
  gcnEpochs: number;
  stages: NodeStage[];
  /** Ingest start to profiles done (model loading included, in the encode stage). */
  totalMs: number;
  baselineRss: number;
  peakRss: number;
}

const CHILD = fileURLToPath(new URL('./e2eNodeChild.ts', import.meta.url));

export function runNodeE2e(file: string, opts: NodeE2eOptions): Promise<NodeE2eResult> {
  return new Promise((resolve, reject) => {
    // The parent runs under tsx, so its execArgv carries tsx's loader.
    const child = fork(CHILD, [file, JSON.stringify(opts)], { execArgv: [...process.execArgv, '--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let result: NodeE2eResult | null = null;
    child.on('message', (m) => (result = m as NodeE2eResult));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0 && result) resolve(result);
      else reject(new Error(`Node e2e child exited with code ${code} for ${file}`));
    });
  });
}
