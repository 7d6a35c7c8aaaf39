/**
 * The browser attack on the default setup, in a real headless Chromium (Debian's `chromium`, driven by
 * `playwright-core`; nothing downloaded): a page on another origin tries every way a page can send a request to the
 * API on 127.0.0.1 (a `no-cors` text/plain fetch, a CORS JSON fetch, `sendBeacon`, an auto-submitted form) to
 * schedule an event. The API runs with the real Temporal scheduler on a real port, with its default settings (no
 * admin secret, no allowed origins). Nothing may be scheduled. A control run, with the page's origin allowed,
 * shows that the same page does schedule when the operator says so: the test would see an event.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { chromium, type Browser } from 'playwright-core';
import { createApp } from '../src/api/app';
import { type Stack, startStack, webhookConfig } from './helpers/stack';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let stack: Stack;
let browser: Browser;
let attacker: Server;
let attackerOrigin: string;

/** The attacker's page: it fires every kind of request at `apiOrigin`, then sets document.title to 'done'. */
function attackPage(apiOrigin: string, marker: string): string {
  const body = JSON.stringify({
    type: 'create_scheduled_event',
    args: { webhook: `http://127.0.0.1:9/${marker}`, schedule_at: '2030-01-01T00:00:00Z' },
  });
  return `<!doctype html><html><body>
<form id="f" method="POST" action="${apiOrigin}/v1/metadata" enctype="text/plain" target="sink">
  <input name='${body.slice(0, -2)}' value='${body.slice(-2)}'>
</form>
<iframe name="sink"></iframe>
<script>
  const url = ${JSON.stringify(`${apiOrigin}/v1/metadata`)};
  const body = ${JSON.stringify(body)};
  (async () => {
    const tries = [
      fetch(url, { method: 'POST', mode: 'no-cors', headers: { 'Content-Type': 'text/plain' }, body }),
      fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body }),
      fetch(${JSON.stringify(`${apiOrigin}/v1/events`)}, { method: 'POST', mode: 'no-cors', body: ${JSON.stringify(body)} }),
    ];
    navigator.sendBeacon(url, new Blob([body], { type: 'text/plain' }));
    document.getElementById('f').submit();
    await Promise.allSettled(tries);
    await new Promise((r) => setTimeout(r, 500));
    document.title = 'done';
  })();
</script></body></html>`;
}

/** Serves the app on a free 127.0.0.1 port; records every answer it gives. */
async function serveApi(allowedOrigins: string[]): Promise<{ origin: string; answers: number[]; server: ServerType }> {
  const app = createApp({
    scheduler: stack.scheduler,
    allowedOrigins,
    webhookRules: webhookConfig().rules,
    logger: { warn: () => undefined, error: () => undefined },
  });
  const answers: number[] = [];
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve(
      {
        fetch: async (request) => {
          const response = await app.fetch(request);
          if (request.method !== 'OPTIONS') answers.push(response.status);
          return response;
        },
        port: 0,
        hostname: '127.0.0.1',
      },
      () => resolve(s),
    );
  });
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, answers, server };
}

async function scheduledWith(marker: string): Promise<number> {
  const page = await stack.scheduler.list({
    scheduledAfter: '2029-12-31T00:00:00Z',
    scheduledBefore: '2030-01-02T00:00:00Z',
  });
  return page.events.filter((e) => e.webhook.includes(marker)).length;
}

async function runAttack(allowedOrigins: string[], marker: string) {
  const api = await serveApi(allowedOrigins);
  let html = '';
  attacker.removeAllListeners('request');
  attacker.on('request', (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(html);
  });
  html = attackPage(api.origin, marker);
  const page = await browser.newPage();
  try {
    await page.goto(`${attackerOrigin}/`);
    await page.waitForFunction('document.title === "done"', undefined, { timeout: 15_000 });
  } finally {
    await page.close();
    api.server.close();
  }
  return { answers: api.answers, scheduled: await scheduledWith(marker) };
}

beforeAll(async () => {
  stack = await startStack({ withoutWorker: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  attacker = createServer();
  await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
  attackerOrigin = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await browser?.close();
  attacker?.close();
  await stack?.stop();
});

test('a page on another origin cannot schedule anything through the default API', async () => {
  const marker = `attack-${Date.now()}`;
  const { answers, scheduled } = await runAttack([], marker);
  // The requests did reach the API (the browser sent them), and each was refused.
  expect(answers.length).toBeGreaterThan(0);
  expect(answers.every((status) => status === 403 || status === 415)).toBe(true);
  expect(scheduled).toBe(0);
});

test('control: with the page origin allowed, the same page does schedule (so the test can see it)', async () => {
  const marker = `allowed-${Date.now()}`;
  const { scheduled } = await runAttack([attackerOrigin], marker);
  // Only the CORS JSON fetch is a well-formed JSON request; the others are still refused (415).
  expect(scheduled).toBe(1);
});
