/** pg-boss 10 worker: polls for due jobs (future jobs are found by polling only) and POSTs each job's data. */
import PgBoss from 'pg-boss';
import type { WebhookBody } from '../http';
import { postWebhook } from '../http';
import { env, failures, noteFailure, onStop, ready } from './common';

const url = env('WEBHOOK_URL');
const queue = env('QUEUE');

async function main(): Promise<void> {
  const boss = new PgBoss({ connectionString: env('DATABASE_URL'), max: 10 });
  boss.on('error', (err) => console.error('pg-boss:', err.message));
  await boss.start();
  await boss.work<WebhookBody>(
    queue,
    {
      pollingIntervalSeconds: Number(env('POLL_SECONDS', '2')),
      batchSize: Number(env('BATCH_SIZE', '1000')),
    },
    async (jobs) => {
      // One fetch returns up to batchSize due jobs; deliver them concurrently (sockets are capped by the agent).
      await Promise.all(
        jobs.map((job) =>
          postWebhook(url, job.data, job.data.id).catch((err: unknown) => {
            noteFailure(err);
            throw err;
          }),
        ),
      );
    },
  );
  onStop(async () => {
    await boss.stop({ graceful: false, wait: true, timeout: 5000 });
    if (failures.count) console.error(`pg-boss: ${failures.count} webhook failures, last: ${failures.last}`);
  });
  ready();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
