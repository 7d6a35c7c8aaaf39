/**
 * The web console in a real browser (Debian's `chromium`, driven by `playwright-core`; nothing downloaded), against
 * the real stack: the API with an admin secret on a real port, a worker, the dev server, and a local receiver. The
 * steps a Hasura user takes: log in, schedule through the form, see the event pending, see it delivered and its
 * invocation expanded, a field error, reschedule one, cancel one, the lists, a narrow phone screen. Screenshots go to
 * test-results/console/ (CONSOLE_SCREENSHOTS_DIR); docs/images/ holds a set of them for the README.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { type Receiver, startReceiver } from './helpers/receiver';
import { createIsolatedNamespace, type Stack, startStack } from './helpers/stack';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = process.env.CONSOLE_SCREENSHOTS_DIR ?? join(__dirname, '..', 'test-results', 'console');
const SECRET = 'console-test-secret';
/** The browser's zone differs from UTC, so a time shown or typed in the wrong zone would show. */
const TIME_ZONE = 'Europe/Paris';

let stack: Stack;
let receiver: Receiver;
let server: ServerType;
let origin: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;
/** Errors the page's scripts logged or threw. */
const pageErrors: string[] = [];

const auth = { 'X-Hasura-Admin-Secret': SECRET };
const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

/** The `datetime-local` value of an instant, in the browser's zone. */
function localInput(ms: number): Promise<string> {
  return page.evaluate((at) => {
    const d = new Date(at);
    const pad = (n: number) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  }, ms);
}

/** An event made through the API, due far ahead (for the cancel and reschedule steps). */
async function apiEvent(path: string): Promise<string> {
  const created = await stack.request(
    'POST',
    '/v1/events',
    { webhook: receiver.url(path), schedule_at: '2031-01-01T10:00:00Z', comment: `made for ${path}` },
    auth,
  );
  expect(created.status).toBe(201);
  return created.body.id as string;
}

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  receiver = await startReceiver();
  // A namespace of its own: the lists show this test's events only, not those of the tests running beside it.
  const namespace = await createIsolatedNamespace(`console-${randomUUID().slice(0, 8)}`);
  stack = await startStack({ adminSecret: SECRET, namespace });
  server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: stack.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    timezoneId: TIME_ZONE,
    locale: 'en-GB',
  });
  page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    // The browser itself logs each non-2xx answer ("Failed to load resource"); the console shows those to the user.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource'))
      pageErrors.push(message.text());
  });
});

afterAll(async () => {
  await browser?.close();
  server?.close();
  await stack?.stop();
  await receiver?.close();
});

test('asks for the admin secret once, refuses a wrong one, and keeps it for the session', async () => {
  await page.goto(`${origin}/console`);
  await page.getByRole('heading', { name: 'Log in' }).waitFor();
  await page.getByLabel('Admin secret').fill('not-it');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByText('That is not the admin secret.').waitFor();
  await shot('login');
  await page.getByLabel('Admin secret').fill(SECRET);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Schedule an event' }).waitFor();
  // Kept for the tab's session: a reload does not ask again; nothing about it is in the URL.
  await page.reload();
  await page.getByRole('heading', { name: 'Schedule an event' }).waitFor();
  expect(page.url()).not.toContain(SECRET);
  expect(await context.cookies()).toEqual([]);
});

let delivered: string;

test('schedules an event through the form; it opens, pending, then delivered with its invocation', async () => {
  await page.goto(`${origin}/console#/schedule`);
  const due = Date.now() + 6_000;
  await page.getByLabel('Webhook URL').fill(receiver.url('/console-form'));
  await page.getByLabel('Time', { exact: true }).fill(await localInput(due));
  // The time's zone and the instant it sends are shown.
  const instant = new Date(Math.floor(due / 1000) * 1000).toISOString();
  await page.getByText(`Your time zone: ${TIME_ZONE}. Sends ${instant} (UTC).`).waitFor();
  await page.getByLabel('Payload').fill('{"via": "console"}');
  await page.getByText('Advanced').click();
  await page.getByRole('button', { name: 'Add a header' }).click();
  await page.getByLabel('Header name').fill('X-From');
  await page.getByLabel('Header value, or the env var to read it from').fill('the console');
  // Hasura's defaults are shown.
  expect(await page.getByLabel('Number of retries').inputValue()).toBe('0');
  expect(await page.getByLabel('Tolerance in seconds').inputValue()).toBe('21600');
  await page.getByLabel('Comment').fill('from the browser');
  await shot('schedule-form');
  await page.getByRole('button', { name: 'Schedule event' }).click();

  await page.waitForURL(/#\/events\/[0-9a-f-]+$/);
  delivered = decodeURIComponent(page.url().split('#/events/')[1]!);
  await page.getByRole('heading', { name: `Event ${delivered}` }).waitFor();
  expect(await page.locator('dl.event-details').textContent()).toContain('from the browser');

  await page.getByRole('link', { name: 'Pending events' }).click();
  await page.locator(`tr[data-event="${delivered}"]`).waitFor();
  await shot('pending');

  const [call] = await receiver.waitFor((requests) => requests.some((r) => r.url === '/console-form'), 20_000);
  expect(call?.body).toMatchObject({ id: delivered, payload: { via: 'console' }, comment: 'from the browser' });
  expect(call?.headers['x-from']).toBe('the console');

  await page.goto(`${origin}/console#/events/${delivered}`);
  await page.locator('dl.event-details .status-delivered').waitFor({ timeout: 15_000 });
  await page.locator('details.invocation summary').first().click();
  await page.getByText('Status 200').waitFor();
  expect(await page.locator('details.invocation').first().textContent()).toContain('X-From');
  await shot('event-delivered');
});

test('shows an API error beside the field it names, and checks the payload as you type', async () => {
  await page.goto(`${origin}/console#/schedule`);
  await page.getByLabel('Payload').fill('{"unfinished": ');
  await page.locator('[data-field="payload"] .field-error').getByText('Payload must be valid JSON').waitFor();
  await page.getByLabel('Payload').fill('{}');
  await page.locator('[data-field="payload"] .field-error').waitFor({ state: 'hidden' });

  await page.getByLabel('Webhook URL').fill(receiver.url('/never'));
  await page.getByText('Advanced').click();
  await page.getByLabel('Number of retries').fill('-1');
  await page.getByRole('button', { name: 'Schedule event' }).click();
  const error = page.locator('[data-field="retry_conf.num_retries"] .field-error');
  await error.getByText('num_retries cannot be a negative value').waitFor();
  expect(await page.getByLabel('Number of retries').getAttribute('aria-invalid')).toBe('true');
  await shot('field-error');

  await page.getByLabel('Number of retries').fill('0');
  await page.getByLabel('Webhook URL').fill('');
  await page.getByRole('button', { name: 'Schedule event' }).click();
  await page.locator('[data-field="webhook"] .field-error').waitFor();
  expect(receiver.requestsTo('/never')).toEqual([]);
});

test('reschedules an event from its page, in the browser time zone', async () => {
  const id = await apiEvent('/console-reschedule');
  await page.goto(`${origin}/console#/events/${id}`);
  await page.getByLabel('New time (your time zone)').fill('2031-01-02T10:00:00');
  await page.getByRole('button', { name: 'Reschedule' }).click();
  await page.locator('dl.event-details time[datetime="2031-01-02T09:00:00.000Z"]').waitFor();
  expect((await stack.request('GET', `/v1/events/${id}`, undefined, auth)).body.scheduled_time).toBe(
    '2031-01-02T09:00:00.000Z',
  );
});

test('edits an event with the schedule form, and cancels one after a confirmation', async () => {
  const id = await apiEvent('/console-cancel');
  await page.goto(`${origin}/console#/events/${id}`);
  await page.getByRole('link', { name: 'Edit' }).click();
  await page.getByRole('heading', { name: `Edit event ${id}` }).waitFor();
  await page.getByLabel('Comment').fill('edited in the console');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.getByRole('heading', { name: `Event ${id}` }).waitFor();
  await page.locator('dl.event-details').getByText('edited in the console').waitFor();

  page.once('dialog', (dialog) => void dialog.accept());
  await page.getByRole('button', { name: 'Cancel event' }).click();
  await page.locator('dl.event-details .status-cancelled').waitFor();
  await shot('event-cancelled');
  expect((await stack.request('GET', `/v1/events/${id}`, undefined, auth)).body.status).toBe('cancelled');
  // A cancelled event offers no more actions; the API would answer 409.
  expect(await page.getByRole('button', { name: 'Cancel event' }).count()).toBe(0);
});

test('lists processed events and every invocation, with filters', async () => {
  await page.goto(`${origin}/console#/processed`);
  await page.locator(`tr[data-event="${delivered}"]`).waitFor();
  await page.getByLabel('Status').selectOption('cancelled');
  await page.locator(`tr[data-event="${delivered}"]`).waitFor({ state: 'detached' });
  await page.getByLabel('Status').selectOption('delivered');
  await page.locator(`tr[data-event="${delivered}"] td`).getByText('after due').waitFor();
  await shot('processed');

  await page.getByRole('link', { name: 'Invocation logs' }).click();
  const invocation = page.locator('details.invocation').filter({ hasText: delivered });
  await invocation.locator('summary').click();
  await invocation.getByText('Status 200').waitFor();
  await shot('invocation-logs');
});

test('is readable 390 px wide, weighs under 200 KB, and sends strict security headers', async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  for (const hash of ['#/schedule', '#/pending', '#/processed', '#/logs', `#/events/${delivered}`]) {
    await page.goto(`${origin}/console${hash}`);
    await page.locator('main h2').waitFor();
    await page.waitForLoadState('networkidle');
    const width = await page.evaluate<number>('document.documentElement.scrollWidth');
    expect([hash, width]).toEqual([hash, 390]);
  }
  await shot('phone-event');
  await page.goto(`${origin}/console#/schedule`);
  await shot('phone-schedule');
  await page.setViewportSize({ width: 1280, height: 900 });

  let bytes = 0;
  for (const path of ['/console', '/console/app.js', '/console/style.css']) {
    const response = await fetch(`${origin}${path}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    bytes += (await response.arrayBuffer()).byteLength;
  }
  expect(bytes).toBeLessThan(200 * 1024);
});

test('can be used from the keyboard: the first field is a few Tab presses from the top', async () => {
  await page.goto(`${origin}/console#/schedule`);
  await page.getByLabel('Webhook URL').waitFor();
  let reached = false;
  for (let i = 0; i < 12 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate<boolean>("document.activeElement?.getAttribute('name') === 'webhook'");
  }
  expect(reached).toBe(true);
});

test('logged no script errors', () => {
  expect(pageErrors).toEqual([]);
});
