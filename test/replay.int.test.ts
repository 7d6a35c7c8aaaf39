/**
 * Replay: runs recorded workflow histories through the current workflow code, so a change that would break
 * events already in flight (they may sleep for months) fails CI instead of production. Histories recorded from
 * earlier versions live in test/fixtures/histories/; this test also records the paths of today's code and replays
 * them, and with RECORD_HISTORIES=1 saves them there as new fixtures (do that whenever the workflow changes, and
 * keep the old files: they are what a deploy must still replay).
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { version } from '../package.json';
import { type Receiver, startReceiver } from './helpers/receiver';
import { type Stack, startStack } from './helpers/stack';
import { installQuietRuntime, temporalTarget } from './helpers/temporal';

const execFileAsync = promisify(execFile);

const FIXTURES = path.join(__dirname, 'fixtures', 'histories');
const bundle = () => ({ workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE_PATH! } });

let receiver: Receiver;
let stack: Stack;

beforeAll(async () => {
  installQuietRuntime();
  receiver = await startReceiver();
  receiver.respond('/fail', { status: 500 });
  receiver.respond('/busy', [{ status: 503, headers: { 'Retry-After': '1' } }, { status: 200 }]);
  receiver.respond('/slow', { delayMs: 1500 });
  stack = await startStack();
});

afterAll(async () => {
  await stack?.stop();
  await receiver?.close();
});

test('every recorded history replays on the current workflow code', async () => {
  const files = (await readdir(FIXTURES)).filter((f) => f.endsWith('.json'));
  expect(files.length).toBeGreaterThan(0);
  for (const file of files) {
    const history = historyFromJSON(JSON.parse(await readFile(path.join(FIXTURES, file), 'utf8')));
    await expect(Worker.runReplayHistory(bundle(), history, file)).resolves.toBeUndefined();
  }
});

test("today's paths (delivered, retried, Retry-After, dead, cancelled mid-attempt, held or sleeping, edited, refused, failure webhook) replay", async () => {
  const now = () => new Date().toISOString();
  const create = async (name: string, args: Record<string, unknown>) => {
    const res = await stack.post('/v1/metadata', { type: 'create_scheduled_event', args });
    return { name, id: res.body.event_id as string };
  };
  const events = await Promise.all([
    create('delivered', { webhook: receiver.url('/ok'), schedule_at: now(), payload: { a: 1 }, comment: 'c' }),
    create('error-after-retry', {
      webhook: receiver.url('/fail'),
      schedule_at: now(),
      retry_conf: { num_retries: 1, retry_interval_seconds: 1 },
    }),
    create('retry-after', { webhook: receiver.url('/busy'), schedule_at: now(), retry_conf: { num_retries: 1 } }),
    create('dead', { webhook: receiver.url('/ok'), schedule_at: '2020-01-01T00:00:00Z' }),
    create('cancelled-in-flight', { webhook: receiver.url('/slow'), schedule_at: now() }),
    create('edited', { webhook: receiver.url('/ok'), schedule_at: new Date(Date.now() + 60_000).toISOString() }),
    create('cancelled-held', {
      webhook: receiver.url('/ok'),
      schedule_at: new Date(Date.now() + 10_000).toISOString(),
    }),
    create('cancelled-sleeping', {
      webhook: receiver.url('/ok'),
      schedule_at: new Date(Date.now() + 3_600_000).toISOString(),
    }),
    create('failure-webhook', {
      webhook: receiver.url('/fail'),
      schedule_at: now(),
      failure_webhook: receiver.url('/ok'),
    }),
  ]);
  // Refused by the worker (an env name the policy forbids; the API would have answered 400): final, not retried.
  const refused = await stack.scheduler.create({
    webhook: `${receiver.url('/ok')}?k={{ADMIN_SECRET}}`,
    scheduledTime: now(),
    payload: null,
    headers: [],
    retryConf: { numRetries: 2, retryIntervalSeconds: 1, timeoutSeconds: 5, toleranceSeconds: 3600 },
    comment: null,
  });
  events.push({ name: 'refused', id: refused.id });
  const byName = Object.fromEntries(events.map((e) => [e.name, e.id]));

  // A call under way when the cancel comes decides the event: it ends with that call's outcome.
  await receiver.waitFor((requests) => requests.some((r) => r.path === '/slow'));
  await expect(stack.scheduler.cancel(byName['cancelled-in-flight']!)).rejects.toThrow(/already started/);
  await stack.waitForEvent(byName['cancelled-held']!, (e) => e.status === 'locked');
  await expect(stack.scheduler.cancel(byName['cancelled-held']!)).resolves.toMatchObject({ status: 'cancelled' });
  await expect(stack.scheduler.cancel(byName['cancelled-sleeping']!)).resolves.toMatchObject({ status: 'cancelled' });
  await stack.scheduler.update(byName.edited!, { scheduledTime: now(), comment: 'moved' });

  for (const { id } of events) await stack.waitForEvent(id, (e) => !['scheduled', 'locked'].includes(e.status));
  // Its status is final before its failure webhook is called: wait for the workflow itself.
  await stack.client.workflow.getHandle(byName['failure-webhook']!).result();
  await expect(stack.scheduler.get(refused.id)).resolves.toMatchObject({ status: 'error', tries: 1 });

  for (const { name, id } of events) {
    const history = await stack.client.workflow.getHandle(id).fetchHistory();
    await expect(Worker.runReplayHistory(bundle(), history, id)).resolves.toBeUndefined();
    if (process.env.RECORD_HISTORIES === '1') {
      // The CLI writes the proto3 JSON that `temporal workflow show --output json` and the Web UI export use.
      const { stdout } = await execFileAsync(process.env.TEMPORAL_CLI_PATH!, [
        'workflow',
        'show',
        '--workflow-id',
        id,
        '--output',
        'json',
        '--address',
        temporalTarget().address,
        '--namespace',
        temporalTarget().namespace,
      ]);
      await writeFile(path.join(FIXTURES, `v${version}-${name}.json`), stdout);
    }
  }
});
