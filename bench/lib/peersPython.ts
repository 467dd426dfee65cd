// The Python peers of bench/peers.ts (scikit-learn's KMeans, umap-learn): finding them, and running
// bench/lib/peersPython.py with the environment a fair single-threaded comparison needs.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('./peersPython.py', import.meta.url));

/**
 * The Debian packages python3-sklearn and umap-learn install into the system Python, which need
 * not be the `python3` first on PATH (a pyenv shim, say): that one is the fallback.
 */
export function findPython(explicit?: string): string {
  if (explicit) return explicit;
  return existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
}

/**
 * One thread for every pool numpy, scikit-learn and numba may start, as ours runs on one. The
 * OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE overrides that may be set on a shared machine pin OpenBLAS
 * to a kernel that is not this CPU's best and make numpy slower than it is: removed for the peers
 * (the BLAS actually used is reported with every result).
 */
export function pythonEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    OMP_NUM_THREADS: '1',
    OPENBLAS_NUM_THREADS: '1',
    MKL_NUM_THREADS: '1',
    NUMBA_NUM_THREADS: '1',
    PYTHONWARNINGS: 'ignore',
  };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  return env;
}

export interface PythonProbe {
  python: string;
  numpy: string | null;
  sklearn: string | null;
  umap: string | null;
  threadpoolctl: string | null;
}

export interface BlasInfo {
  internal_api?: string;
  version?: string;
  architecture?: string;
  num_threads?: number;
  error?: string;
}

/** Which peers this Python has; null (with the reason) when it cannot even run the script. */
export function probePython(python: string): { probe: PythonProbe | null; why?: string } {
  try {
    return { probe: runPython<PythonProbe>(python, ['probe'], 60) };
  } catch (e) {
    return { probe: null, why: (e as Error).message };
  }
}

/** Runs peersPython.py with `args` and parses its last stdout line; throws with its stderr tail. */
export function runPython<T>(python: string, args: string[], timeoutS: number): T {
  const child = spawnSync(python, [SCRIPT, ...args], {
    encoding: 'utf8',
    env: pythonEnv(),
    maxBuffer: 16 << 20,
    timeout: timeoutS * 1000,
    killSignal: 'SIGKILL',
  });
  const line = (child.stdout ?? '').trim().split('\n').pop() ?? '';
  if (child.error || child.status !== 0 || !line.startsWith('{')) {
    const why =
      child.error?.message ?? (child.signal ? `killed (${child.signal}) after ${timeoutS} s` : (child.stderr ?? '').trim().split('\n').slice(-3).join(' / '));
    throw new Error(`${python} ${args[0]}: ${why || `exit ${child.status}`}`);
  }
  return JSON.parse(line) as T;
}

export function describeBlas(blas: BlasInfo[] | undefined): string {
  if (!blas || blas.length === 0) return 'BLAS: unknown';
  return blas
    .map((b) =>
      b.error ? `threadpoolctl: ${b.error}` : `${b.internal_api ?? '?'} ${b.version ?? ''} kernel ${b.architecture ?? '-'}, ${b.num_threads} thread(s)`,
    )
    .join('; ');
}
