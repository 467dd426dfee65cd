// The running total of epsilon per log, in IndexedDB (fake-indexeddb here): noised exports add up
// per log identity, logs are kept apart, and the store shows in the privacy panel's inventory.
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { BUDGET_ID, PRIVACY_DB, privacySpent, recordPrivacySpend, storageReport, wipeStorage } from './storage';

describe('privacy budget', () => {
  it('adds each noised export of a log to its total, per log', async () => {
    expect(await privacySpent('log-a')).toBeNull();
    await recordPrivacySpend('log-a', 'a.csv', 0.5);
    const t = await recordPrivacySpend('log-a', 'a.csv', 1);
    expect(t).toMatchObject({ id: 'log-a', name: 'a.csv', spent: 1.5, exports: 2 });
    await recordPrivacySpend('log-b', 'b.csv', 0.25);
    expect(await privacySpent('log-a')).toMatchObject({ spent: 1.5, exports: 2 });
    expect(await privacySpent('log-b')).toMatchObject({ spent: 0.25, exports: 1 });
    const report = await storageReport([]);
    const budget = report.items.find((x) => x.id === BUDGET_ID);
    expect(budget?.label).toMatch(/Privacy budget/);
    expect(budget?.items).toBe(2);
  });

  it('reading the total after a wipe does not make the database again', async () => {
    await recordPrivacySpend('log-c', 'c.csv', 1);
    await wipeStorage('all', []);
    expect(await privacySpent('log-c')).toBeNull();
    expect((await indexedDB.databases()).map((d) => d.name)).not.toContain(PRIVACY_DB);
  });
});
