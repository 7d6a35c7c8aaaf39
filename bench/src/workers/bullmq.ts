/** BullMQ worker: consumes delayed jobs and POSTs each job's data (the webhook body) to the receiver. */
import { Worker } from 'bullmq';
import type { WebhookBody } from '../http';
import { postWebhook } from '../http';
import { env, failures, onStop, ready } from './common';

const url = env('WEBHOOK_URL');
const worker = new Worker<WebhookBody>(
  env('QUEUE'),
  async (job) => {
    await postWebhook(url, job.data, job.data.id);
  },
  {
    connection: { host: '127.0.0.1', port: Number(env('REDIS_PORT')), maxRetriesPerRequest: null },
    concurrency: Number(env('CONCURRENCY', '50')),
    autorun: false,
  },
);
worker.on('failed', () => failures.count++);
worker.on('error', (err) => console.error('bullmq worker:', err.message));

onStop(async () => {
  await worker.close();
  if (failures.count) console.error(`bullmq: ${failures.count} failed jobs`);
});
void worker.waitUntilReady().then(() => {
  void worker.run();
  ready();
});
