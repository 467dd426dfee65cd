// Each public sample log, uploaded through the UI, against counts computed here from the raw file.
import { test, expect } from './fixtures';
import { analyse, openApp, rejectRow } from './helpers';
import * as reference from './reference';

test.skip(!reference.hasSharedData, 'needs the sample logs in ../shared/data');

test.beforeEach(async ({ page }) => {
  await openApp(page);
});

test('REES46: every event row is read, with its users, sessions and items', async ({ page }) => {
  const want = reference.rees46();
  const got = await analyse(page, reference.FILES.rees46);
  expect(Number(got.rows)).toBe(want.rows);
  expect(Number(got.accepted)).toBe(want.rows);
  expect(Number(got.rejected)).toBe(0);
  expect(Number(got.users)).toBe(want.users);
  expect(Number(got.sessions)).toBe(want.sessions);
  expect(Number(got.items)).toBe(want.items);
  expect(got.by).toBe('user');
});

test('Diginetica: semicolon-separated clicks are grouped by session', async ({ page }) => {
  const want = reference.diginetica();
  const got = await analyse(page, reference.FILES.diginetica);
  expect(Number(got.rows)).toBe(want.rows);
  expect(Number(got.sessions)).toBe(want.sessions);
  expect(Number(got.items)).toBe(want.items);
  // user_id is mostly "NA", so the app must fall back to sessions on its own.
  expect(got.by).toBe('session');
});

test('OTTO: nested JSON Lines sessions are flattened into events', async ({ page }) => {
  const want = reference.otto();
  const got = await analyse(page, reference.FILES.otto);
  expect(Number(got.rows)).toBe(want.events);
  expect(Number(got.accepted)).toBe(want.events);
  expect(Number(got.sessions)).toBe(want.sessions);
  expect(Number(got.items)).toBe(want.items);
  // events counts what is left after collapsing repeats, so it can only be lower.
  expect(Number(got.events)).toBeLessThanOrEqual(want.events);
  expect(Number(got.events)).toBeGreaterThan(0);
  expect(got.by).toBe('session');
});

test('UCI Online Retail: lines without a customer are rejected when grouping by user', async ({ page }) => {
  const want = reference.uci();
  const got = await analyse(page, reference.FILES.uci);
  expect(Number(got.rows)).toBe(want.rows);
  expect(Number(got.users)).toBe(want.customers);
  expect(Number(got.items)).toBe(want.stockCodes);
  expect(got.by).toBe('user');
  const missingUser = rejectRow(page, 'user');
  await expect(missingUser).toHaveCount(1);
  await expect(missingUser).toHaveAttribute('data-count', String(want.missingCustomer));
  expect(Number(got.accepted)).toBe(want.rows - Number(got.rejected));
});
