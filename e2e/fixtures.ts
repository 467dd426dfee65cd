// Every spec runs through this fixture: it records each request the page and its workers make and
// fails the test if anything was asked of a host other than the app's own. Nothing may leave the machine.
import { test as base, expect } from '@playwright/test';

export const ORIGIN = `http://127.0.0.1:${Number(process.env.SEQLENS_E2E_PORT ?? 4173)}`;

function isLocal(url: string): boolean {
  return url.startsWith(`${ORIGIN}/`) || url === ORIGIN || url.startsWith('data:') || url.startsWith('blob:');
}

export const test = base.extend<{ externalRequests: string[] }>({
  externalRequests: [
    async ({ context }, use) => {
      const outside: string[] = [];
      context.on('request', (request) => {
        if (!isLocal(request.url())) outside.push(request.url());
      });
      await context.route('**/*', (route) => {
        const url = route.request().url();
        if (isLocal(url)) return route.continue();
        outside.push(url);
        return route.abort('blockedbyclient');
      });
      await use(outside);
      expect([...new Set(outside)], 'requests to anywhere but the app itself').toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };
