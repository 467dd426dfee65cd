// A helper thread of the K sweep, started by the analysis worker (see pipeline/cluster/sweepThreads.ts).
import { serveSweepHelper } from '../pipeline/cluster/sweepThreads';

const scope = self as unknown as {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (e: MessageEvent) => void): void;
};
serveSweepHelper({
  postMessage: (m) => scope.postMessage(m),
  onMessage: (listener) => scope.addEventListener('message', (e) => listener(e.data)),
});
