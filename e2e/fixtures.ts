// Every spec runs through this fixture: it records each request the page and its workers make and
// fails the test if anything was asked of a host other than the app's own. Nothing may leave the machine.
// It also opens the app on the text encoder unless a spec says otherwise (`defaultEncoder`, below).
import { test as base, expect } from '@playwright/test';

export const ORIGIN = `http://127.0.0.1:${Number(process.env.SEQLENS_E2E_PORT ?? 4173)}`;

function isLocal(url: string): boolean {
  return url.startsWith(`${ORIGIN}/`) || url === ORIGIN || url.startsWith('data:') || url.startsWith('blob:');
}

/**
 * `url` with `encoder=KIND` added when it opens the app (path `/`) and names no encoder. The app's
 * default is the behaviour model, trained on the log before anything is clustered (tens of seconds
 * here); specs not about the encoder run on the text encoder they were written for, as a link with
 * `?encoder=text` would. Other pages (test harnesses, absolute URLs) are left alone.
 */
export function withEncoder(url: string, kind: string): string {
  if (!url.startsWith('/') || url.startsWith('//')) return url;
  const u = new URL(url, ORIGIN);
  if (u.pathname !== '/' || u.searchParams.has('encoder')) return url;
  const sep = u.search ? '&' : '?';
  return `${u.pathname}${u.search}${sep}encoder=${kind}${u.hash}`;
}

export const test = base.extend<{ externalRequests: string[]; defaultEncoder: string | null; analystDetails: 'open' | null; keepLogs: 'always' | null }>({
  /** The encoder page.goto('/…') asks for when the URL names none; null: the app's own default. */
  defaultEncoder: ['text', { option: true }],
  /**
   * The analyst's area ("How the segments were made": columns, encoder, graph network, K) starts
   * open, as for an analyst who opened it once (the app remembers); null: a first visit, closed.
   */
  analystDetails: ['open', { option: true }],
  /**
   * Opened logs are copied into the browser without asking, as for a user who said "always" once
   * (specs that reload expect the log back); null: a first visit, where the page asks.
   */
  keepLogs: ['always', { option: true }],
  page: async ({ page, defaultEncoder, analystDetails, keepLogs }, use) => {
    // A remembered choice, set once per page unless the page has its own by then.
    const presets: [string, string][] = [];
    if (keepLogs) presets.push(['seqlens.keepLogs', keepLogs]);
    if (analystDetails) presets.push(['seqlens.analystDetails', analystDetails]);
    if (presets.length > 0) {
      await page.context().addInitScript((entries: [string, string][]) => {
        try {
          for (const [key, value] of entries) if (localStorage.getItem(key) === null) localStorage.setItem(key, value);
        } catch {
          // Pages without storage (about:blank) have nothing to remember.
        }
      }, presets);
    }
    if (defaultEncoder) {
      const goto = page.goto.bind(page);
      page.goto = (url, options) => goto(withEncoder(url, defaultEncoder), options);
    }
    await use(page);
  },
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
