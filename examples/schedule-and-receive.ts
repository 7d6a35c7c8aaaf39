/**
 * Schedules a webhook through the SDK and receives it on a local HTTP server.
 *
 *   npm start                                   # in one terminal: dev server, worker and API
 *   npx tsx examples/schedule-and-receive.ts    # in another
 *
 * Env: SCHEDULED_EVENTS_URL (default http://127.0.0.1:8080), ADMIN_SECRET when the API has one, and
 * WEBHOOK_SIGNING_SECRET, the secret the receiver verifies calls with (default: the development secret `npm start`
 * keeps in .temporal/webhook-signing-secret).
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { ScheduledEventsClient, verifyWebhook } from '../src/sdk';

/** How far ahead the example schedules its event. */
const DELAY_MS = 3000;

interface Delivery {
  at: number;
  body: string;
  headers: IncomingHttpHeaders;
}

/** The secret to verify calls with, if one is known. */
function signingSecret(): string | undefined {
  if (process.env.WEBHOOK_SIGNING_SECRET) return process.env.WEBHOOK_SIGNING_SECRET;
  try {
    const dataDir = process.env.TEMPORAL_DATA_DIR || resolve(__dirname, '..', '.temporal');
    return readFileSync(resolve(dataDir, 'webhook-signing-secret'), 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** A receiver on a free loopback port that resolves `delivery` on the first POST. */
async function startReceiver(): Promise<{ server: Server; port: number; delivery: Promise<Delivery> }> {
  let deliver: (d: Delivery) => void = () => undefined;
  const delivery = new Promise<Delivery>((resolve) => (deliver = resolve));
  const server = createServer((req, res) => {
    // Bytes, not text, until the whole body is in: a character split across chunks would not decode.
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      res.writeHead(204).end();
      deliver({ at: Date.now(), body, headers: req.headers });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, delivery };
}

async function main(): Promise<void> {
  const { server, port, delivery } = await startReceiver();
  const events = new ScheduledEventsClient({
    baseUrl: process.env.SCHEDULED_EVENTS_URL ?? 'http://127.0.0.1:8080',
    adminSecret: process.env.ADMIN_SECRET,
  });
  try {
    const dueAt = new Date(Date.now() + DELAY_MS);
    const event = await events.create({
      webhook: `http://127.0.0.1:${port}/hook`,
      scheduleAt: dueAt,
      payload: { hello: 'from the example' },
      comment: 'examples/schedule-and-receive.ts',
    });
    console.log(`scheduled ${event.id} for ${dueAt.toISOString()}`);
    const { at, body, headers } = await delivery;
    console.log(
      `received ${at - dueAt.getTime()} ms after the due time (webhook-id ${String(headers['webhook-id'])}): ${body}`,
    );
    // Verify on the raw body, before parsing it: the signature covers the exact bytes sent.
    const secret = signingSecret();
    if (secret === undefined) console.log('no signing secret known: not verified');
    else {
      await verifyWebhook({ secrets: secret, headers, body });
      console.log('signature verified (Standard Webhooks, webhook-signature)');
    }
    const done = await events.waitFor(event.id, ['delivered', 'error', 'dead'], { pollIntervalMs: 200 });
    const [attempt] = await events.invocations(event.id);
    console.log(`status ${done.status}, tries ${done.tries}, logged HTTP ${attempt?.status}`);
    console.log(`in the Temporal Web UI: ${done.temporalUiUrl ?? 'search for the event id'}`);
  } finally {
    server.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
