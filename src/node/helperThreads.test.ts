import { describe, expect, it } from 'vitest';
import { makeBlobs } from '../pipeline/cluster/blobs';
import { sweepK } from '../pipeline/cluster/sweep';
import { nodeHelperThreads } from './helperThreads';

describe('the K sweep on Node worker threads', () => {
  it('runs on real threads and gives what one thread gives', async () => {
    const n = 2500;
    const d = 8;
    const { data } = makeBlobs(n, d, 4, { std: 1, seed: 5 });
    const opts = { kMin: 2, kMax: 6, seed: 1, silhouetteSample: 500 };
    const serial = await sweepK(data, n, d, opts);
    const threaded = await sweepK(data, n, d, { ...opts, threads: nodeHelperThreads(2) });
    expect(threaded.threads).toBe(2);
    expect(threaded.entries.map((e) => [e.k, e.inertia, e.silhouette, e.stability])).toEqual(
      serial.entries.map((e) => [e.k, e.inertia, e.silhouette, e.stability]),
    );
    for (let i = 0; i < serial.entries.length; i++) expect(threaded.entries[i].labels).toEqual(serial.entries[i].labels);
    expect(threaded.suggested).toEqual(serial.suggested);
  });
});
