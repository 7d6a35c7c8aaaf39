/** Graphile Worker 0.17 runner: polls for due jobs every POLL_MS (future jobs are found by polling only). */
import { Logger, run } from 'graphile-worker';
import type { WebhookBody } from '../http';
import { postWebhook } from '../http';
import { env, failures, noteFailure, onStop, ready } from './common';

const url = env('WEBHOOK_URL');
const quiet = new Logger(() => (level, message) => {
  if (level === 'error' || level === 'warning') console.error(`graphile-worker ${level}: ${message}`);
});

async function main(): Promise<void> {
  const concurrency = Number(env('CONCURRENCY', '32'));
  const runner = await run({
    connectionString: env('DATABASE_URL'),
    concurrency,
    maxPoolSize: concurrency + 4,
    pollInterval: Number(env('POLL_MS', '2000')),
    noHandleSignals: true,
    logger: quiet,
    taskList: {
      hook: async (payload) => {
        const body = payload as WebhookBody;
        await postWebhook(url, body, body.id).catch((err: unknown) => {
          noteFailure(err);
          throw err;
        });
      },
    },
  });
  onStop(async () => {
    await runner.stop();
    if (failures.count) console.error(`graphile-worker: ${failures.count} webhook failures, last: ${failures.last}`);
  });
  ready();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
