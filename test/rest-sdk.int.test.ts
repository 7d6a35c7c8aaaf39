/**
 * The REST API (docs/contract.md §7) and the SDK against the real stack: the API served over real HTTP, a real worker, a real
 * dev server and a real local receiver.
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { ConflictApiError, NotFoundApiError, ScheduledEventsClient } from '../src/sdk';
import { type Receiver, startReceiver } from './helpers/receiver';
import { createIsolatedNamespace, eventually, type Stack, startStack } from './helpers/stack';

let receiver: Receiver;
let stack: Stack;
let server: ServerType;
let sdk: ScheduledEventsClient;
let baseUrl: string;

beforeAll(async () => {
  receiver = await startReceiver();
  // A namespace of its own, so listings contain exactly this file's events.
  const namespace = await createIsolatedNamespace(`rest-${randomUUID().slice(0, 8)}`);
  stack = await startStack({ namespace });
  server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: stack.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  sdk = new ScheduledEventsClient({ baseUrl });
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await stack?.stop();
  await receiver?.close();
});

const inMs = (ms: number) => new Date(Date.now() + ms);

test('SDK: schedule, wait for delivery, read the invocation', async () => {
  const event = await sdk.create({ webhook: receiver.url('/sdk'), scheduleAt: inMs(500), payload: { hello: 'sdk' } });
  expect(event.status).toBe('scheduled');
  const done = await sdk.waitFor(event.id, 'delivered', { timeoutMs: 15_000, pollIntervalMs: 200 });
  expect(done.tries).toBe(1);
  expect(done.temporalUiUrl).toContain(event.id);
  const [invocation] = await sdk.invocations(event.id);
  expect(invocation).toMatchObject({ eventId: event.id, status: 200 });
  expect(receiver.requestsTo('/sdk')[0]!.body).toMatchObject({ id: event.id, payload: { hello: 'sdk' } });
});

test('idempotent create under concurrent repeats starts one workflow; a different body is 409', async () => {
  const key = randomUUID();
  const body = { webhook: receiver.url('/idem'), schedule_at: inMs(60_000).toISOString(), payload: { n: 1 } };
  const responses = await Promise.all(
    Array.from({ length: 8 }, () =>
      fetch(`${baseUrl}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify(body),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as { id: string } })),
    ),
  );
  const ids = new Set(responses.map((r) => r.body.id));
  expect(ids.size).toBe(1);
  expect(responses.filter((r) => r.status === 201)).toHaveLength(1);
  expect(responses.filter((r) => r.status === 200)).toHaveLength(7);
  const [id] = [...ids];
  const runs = [];
  for await (const wf of stack.client.workflow.list({ query: `WorkflowId = '${id}'` })) runs.push(wf);
  expect(runs).toHaveLength(1);

  await expect(
    sdk.create({ webhook: body.webhook, scheduleAt: body.schedule_at, payload: { n: 2 } }, { idempotencyKey: key }),
  ).rejects.toBeInstanceOf(ConflictApiError);
  await sdk.cancel(id!);
});

test('batch: good items are created, bad ones fail alone, in input order', async () => {
  const res = await fetch(`${baseUrl}/v1/events/batch`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      events: [
        { webhook: receiver.url('/batch'), schedule_at: inMs(60_000).toISOString() },
        { webhook: 'javascript:alert(1)', schedule_at: inMs(60_000).toISOString() },
        { webhook: receiver.url('/batch'), schedule_at: 'not a date' },
        { webhook: receiver.url('/batch'), schedule_at: inMs(60_000).toISOString(), comment: 'third' },
      ],
    }),
  });
  expect(res.status).toBe(200);
  const { results } = (await res.json()) as { results: any[] };
  expect(results).toHaveLength(4);
  expect(results[0]).toMatchObject({ status: 'scheduled' });
  expect(results[1].error).toMatchObject({ code: 'parse-failed', path: expect.stringContaining('webhook') });
  expect(results[2].error).toMatchObject({ code: 'parse-failed', path: expect.stringContaining('schedule_at') });
  expect(results[3]).toMatchObject({ status: 'scheduled', comment: 'third' });
  for (const r of [results[0], results[3]]) await sdk.cancel(r.id);
});

test('cursor pagination stays correct while events are created and change status between pages', async () => {
  const base = Date.parse('2031-03-01T00:00:00Z');
  const at = (minutes: number) => new Date(base + minutes * 60_000);
  const created = await sdk.createMany(
    [0, 2, 4, 6, 8, 10].map((m) => ({ webhook: receiver.url('/page'), scheduleAt: at(m), comment: `m${m}` })),
  );
  const ids = created.map((r) => (r.ok ? r.event.id : ''));
  const window = { scheduledAfter: at(0), scheduledBefore: at(60), pageSize: 2 };
  await eventually(
    () => sdk.listPage({ ...window, pageSize: 100 }),
    (p) => p.events.length === 6,
  );

  const first = await sdk.listPage(window);
  expect(first.events.map((e) => e.comment)).toEqual(['m0', 'm2']);
  // Between pages: one event before the cursor and one after it are created, one later event is cancelled.
  await sdk.create({ webhook: receiver.url('/page'), scheduleAt: at(1), comment: 'm1' });
  await sdk.create({ webhook: receiver.url('/page'), scheduleAt: at(5), comment: 'm5' });
  await sdk.cancel(ids[4]!); // m8
  await eventually(
    () => sdk.listPage({ ...window, pageSize: 100 }),
    (p) => p.events.length === 7,
  );
  const seen = [...first.events.map((e) => e.comment)];
  let cursor = first.nextCursor;
  while (cursor !== null) {
    const page = await sdk.listPage({ ...window, cursor });
    seen.push(...page.events.map((e) => e.comment));
    cursor = page.nextCursor;
  }
  // No event seen twice, none skipped among those that existed throughout; order by time.
  expect(seen).toEqual(['m0', 'm2', 'm4', 'm5', 'm6', 'm10']);
  const all = [];
  for await (const e of sdk.list({ ...window, status: ['scheduled'] })) all.push(e.comment);
  expect(all).toEqual(['m0', 'm1', 'm2', 'm4', 'm5', 'm6', 'm10']);
});

test('reschedule before firing moves the delivery; after firing it is 409', async () => {
  const event = await sdk.create({ webhook: receiver.url('/moved'), scheduleAt: inMs(60_000) });
  const newTime = inMs(1000);
  const moved = await sdk.reschedule(event.id, newTime);
  expect(moved.scheduledTime.toISOString()).toBe(newTime.toISOString());
  await sdk.waitFor(event.id, 'delivered', { timeoutMs: 15_000, pollIntervalMs: 200 });
  const arrival = receiver.requestsTo('/moved')[0]!.receivedAt;
  expect(arrival).toBeGreaterThanOrEqual(newTime.getTime());
  expect(arrival - newTime.getTime()).toBeLessThan(1000);
  await expect(sdk.reschedule(event.id, inMs(60_000))).rejects.toBeInstanceOf(ConflictApiError);
  // The change is in the event's history as an accepted Update.
  const history = await stack.client.workflow.getHandle(event.id).fetchHistory();
  expect(history.events?.some((e) => e.workflowExecutionUpdateAcceptedEventAttributes)).toBe(true);
});

test('cancel: 200 with the cancelled event, 409 once finished, 404 when unknown', async () => {
  const event = await sdk.create({ webhook: receiver.url('/never'), scheduleAt: inMs(60_000) });
  const cancelled = await sdk.cancel(event.id);
  expect(cancelled.status).toBe('cancelled');
  const again = await fetch(`${baseUrl}/v1/events/${event.id}`, { method: 'DELETE' });
  expect(again.status).toBe(409);
  await expect(sdk.get(randomUUID())).rejects.toBeInstanceOf(NotFoundApiError);
  expect(receiver.requestsTo('/never')).toHaveLength(0);
});

test('readiness: 200 with a worker polling, and the OpenAPI document is served', async () => {
  const ready = await fetch(`${baseUrl}/readyz`);
  expect(ready.status).toBe(200);
  const doc = (await (await fetch(`${baseUrl}/openapi.json`)).json()) as { openapi: string; paths: object };
  expect(doc.openapi).toMatch(/^3\.1/);
  expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/events', '/v1/metadata']));
});
