/**
 * Encryption at rest on the real dev server: with PAYLOAD_ENCRYPTION_KEYS, no marker from any user field (payload,
 * the webhook URL, a literal header value, comment, an edit's new comment, the receiver's response body) is anywhere in Temporal's
 * database files, while the API still shows every one of them decoded, invocations included. A control event made
 * without a key shows that the search would find a marker if it were there. Then a key rotation with an event in
 * flight: sealed under the old key, delivered by a worker that seals with the new one and still opens the old.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { dataConverterOf } from '../src/temporal';
import type { EncryptionKey } from '../src/temporal/encryption-codec';
import { type Receiver, startReceiver } from './helpers/receiver';
import { type Stack, startEventWorker, startStack } from './helpers/stack';

const key = (id: string): EncryptionKey => ({ id, key: randomBytes(32) });
const marker = (field: string) => `mk-${field}-${randomUUID().slice(0, 8)}`;

let receiver: Receiver;
const stacks: Stack[] = [];

beforeAll(async () => {
  receiver = await startReceiver();
});

afterAll(async () => {
  for (const stack of stacks) await stack.stop();
  await receiver?.close();
});

async function stackWith(keys: EncryptionKey[]): Promise<Stack> {
  const stack = await startStack({ encryptionKeys: keys });
  stacks.push(stack);
  return stack;
}

/** Every byte of the dev server's data dir (database, its WAL and shared memory), as Latin-1 text to search. */
function databaseText(): string {
  const dir = process.env.TEST_TEMPORAL_DATA_DIR!;
  const files = readdirSync(dir).filter((name) => name.includes('sqlite') && statSync(join(dir, name)).isFile());
  expect(files.length).toBeGreaterThan(0);
  return files.map((name) => readFileSync(join(dir, name)).toString('latin1')).join('\n');
}

/** Creates an event due in `inMs` through the REST API, with a marker in every user field. */
async function createMarked(stack: Stack, path: string, inMs: number) {
  const markers = {
    payload: marker('payload'),
    header: marker('header'),
    comment: marker('comment'),
    body: marker('body'),
  };
  receiver.respond(path, { status: 200, body: { echoed: markers.body } });
  const created = await stack.post('/v1/events', {
    webhook: receiver.url(path),
    schedule_at: new Date(Date.now() + inMs).toISOString(),
    payload: { note: markers.payload },
    headers: [{ name: 'X-Marker', value: markers.header }],
    comment: markers.comment,
  });
  expect(created.status).toBe(201);
  return { id: created.body.id as string, markers };
}

test('with a key, no user field is readable in the database, and the API shows them all', async () => {
  const stack = await stackWith([key('k1')]);
  const { id, markers } = await createMarked(stack, '/sealed', 800);
  // An edit's input and result are payloads too.
  const pending = await createMarked(stack, '/sealed-later', 3_600_000);
  const edited = marker('edited');
  expect((await stack.request('PATCH', `/v1/events/${pending.id}`, { comment: edited })).status).toBe(200);

  await stack.waitForEvent(id, (event) => event.status === 'delivered');
  const [call] = receiver.requestsTo('/sealed');
  expect(call?.body).toMatchObject({ payload: { note: markers.payload }, comment: markers.comment });
  expect(call?.headers['x-marker']).toBe(markers.header);

  // The API decodes: the event, its invocation (request headers, response body) and the listing.
  const event = await stack.request('GET', `/v1/events/${id}`);
  expect(event.body).toMatchObject({ payload: { note: markers.payload }, comment: markers.comment });
  expect(event.body.header_conf).toEqual([{ name: 'X-Marker', value: markers.header }]);
  const invocations = await stack.request('GET', `/v1/events/${id}/invocations`);
  expect(invocations.body.invocations[0].response.data.body).toContain(markers.body);
  const listed = await stack.request('GET', `/v1/events?status=scheduled`);
  expect(listed.body.events.find((e: { id: string }) => e.id === pending.id)?.comment).toBe(edited);

  const text = databaseText();
  for (const value of [...Object.values(markers), ...Object.values(pending.markers), edited]) {
    expect([value, text.includes(value)]).toEqual([value, false]);
  }
});

test('control: without a key the same search finds the markers (so the test above could fail)', async () => {
  const stack = await stackWith([]);
  const { id, markers } = await createMarked(stack, '/plain', 300);
  await stack.waitForEvent(id, (event) => event.status === 'delivered');
  const text = databaseText();
  for (const value of Object.values(markers)) expect([value, text.includes(value)]).toEqual([value, true]);
});

test('a key rotation with an event in flight: sealed under the old key, delivered and read under the new list', async () => {
  const k1 = key('k1');
  const k2 = key('k2');
  const before = await stackWith([k1]);
  await before.worker!.stop(); // the event waits for a worker that knows the new list
  const { id, markers } = await createMarked(before, '/rotated', 1_000);

  const after = await startStack({ encryptionKeys: [k2, k1], withoutWorker: true });
  stacks.push(after);
  // On the event's task queue, a worker with the rotated list takes it.
  const worker = await startEventWorker(before.taskQueue, {
    dataConverter: dataConverterOf({ encryptionKeys: [k2, k1] }),
  });
  try {
    await after.waitForEvent(id, (event) => event.status === 'delivered');
    expect(receiver.requestsTo('/rotated')[0]?.body).toMatchObject({ payload: { note: markers.payload } });
    const invocations = await after.request('GET', `/v1/events/${id}/invocations`);
    expect(invocations.body.invocations[0].response.data.body).toContain(markers.body);
    // New writes are sealed with k2: an API that has only k1 cannot read this event's attempt any more.
    const onlyOld = await stackWith([k1]);
    expect((await onlyOld.request('GET', `/v1/events/${id}/invocations`)).status).toBe(500);
  } finally {
    await worker.stop();
  }
});
