import { describe, expect, it } from 'vitest';
import { fitPerUser } from '../pipeline/recommend';
import { allLists, allListsHere, fitPerUserOnThreads } from '../pipeline/recommend/perUser/listThreads';
import { generatedBaskets } from '../../test/lib/synthBaskets';
import { nodeHelperThreads } from './helperThreads';

describe("every user's lists on Node worker threads", () => {
  it('fits and lists on real threads (the models in shared memory) and gives what one thread gives', async () => {
    const users = 600;
    const items = 250;
    const { baskets: b, order } = generatedBaskets({ seed: 4, users, items, events: 8000, segments: 4 });
    const rec = fitPerUser(b, order);
    const all = Int32Array.from({ length: users }, (_, u) => u);
    const here = allListsHere(rec, all, 10);
    // The models fitted on a helper (handed back) while this thread chooses the settings.
    const fit = await fitPerUserOnThreads(b, order, {}, nodeHelperThreads(2), { minUsers: 0 });
    expect(fit.problem).toBeUndefined();
    expect(fit.threads).toBe(1);
    expect(fit.rec.params).toEqual(rec.params);
    expect(Array.from(fit.rec.newModel.knn.weight)).toEqual(Array.from(rec.newModel.knn.weight));
    const r = await allLists(fit.rec, all, 10, nodeHelperThreads(2), { minUsers: 0, chunk: 150 });
    expect(r.problems).toEqual([]);
    expect(r.threads).toBe(2);
    expect(Array.from(r.lists.newPtr)).toEqual(Array.from(here.newPtr));
    expect(Array.from(r.lists.newItems)).toEqual(Array.from(here.newItems));
    expect(Array.from(r.lists.newScores)).toEqual(Array.from(here.newScores));
    expect(r.lists.newReasons).toEqual(here.newReasons);
    expect(Array.from(r.lists.againPtr)).toEqual(Array.from(here.againPtr));
    expect(Array.from(r.lists.againItems)).toEqual(Array.from(here.againItems));
    expect(Array.from(r.lists.againScores)).toEqual(Array.from(here.againScores));
    expect(r.lists.againReasons).toEqual(here.againReasons);
  }, 60_000);
});
