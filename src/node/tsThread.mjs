// Entry of every Node helper thread: loads the TypeScript module named in workerData.entry through
// tsx, as the CLI, the benches and the tests load everything else (a worker thread does not
// inherit tsx's loader from its parent).
import { workerData } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';

await tsImport(workerData.entry, import.meta.url);
