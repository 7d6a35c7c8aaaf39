import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import type { Role } from '../procstat';
import { WorkerProcess } from './child';
import type { AdapterEnv, BenchEvent, StorageReading, SystemAdapter } from './types';
import { webhookBody } from './types';

const CONCURRENCY = Number(process.env.BULLMQ_CONCURRENCY ?? 50);

/** BullMQ delayed jobs (`delay = dueAt - now` at add time) on the private Redis; the worker POSTs. */
export class BullmqAdapter implements SystemAdapter {
  readonly name = 'bullmq';
  readonly label = 'BullMQ 6.7 (Redis)';
  readonly needs = ['redis'] as const;
  readonly batchKind = 'addBulk';
  private worker = new WorkerProcess('bullmq', 'bullmq');
  private queue: Queue | null = null;
  private redis: IORedis | null = null;
  private redisPid = 0;

  config(): Record<string, unknown> {
    return { concurrency: CONCURRENCY, removeOnComplete: true, attempts: 1 };
  }

  async start(env: AdapterEnv): Promise<void> {
    const port = env.redis!.port;
    this.redisPid = env.redis!.pid;
    this.redis = new IORedis({ host: '127.0.0.1', port, maxRetriesPerRequest: null });
    await this.redis.flushall();
    const name = `bench-${env.runTag}`;
    this.queue = new Queue(name, { connection: { host: '127.0.0.1', port } });
    await this.queue.waitUntilReady();
    await this.worker.start({
      WEBHOOK_URL: env.webhookUrl,
      QUEUE: name,
      REDIS_PORT: String(port),
      CONCURRENCY: String(CONCURRENCY),
    });
  }

  private opts(ev: BenchEvent): { delay: number; jobId: string; removeOnComplete: boolean; removeOnFail: number } {
    return { delay: Math.max(0, ev.dueAt - Date.now()), jobId: ev.bid, removeOnComplete: true, removeOnFail: 1000 };
  }

  async schedule(ev: BenchEvent): Promise<void> {
    await this.queue!.add('hook', webhookBody(ev), this.opts(ev));
  }

  async scheduleMany(evs: BenchEvent[]): Promise<void> {
    await this.queue!.addBulk(evs.map((ev) => ({ name: 'hook', data: webhookBody(ev), opts: this.opts(ev) })));
  }

  roles(): Role[] {
    return [
      { role: 'worker', pid: this.worker.pid },
      { role: 'redis', pid: this.redisPid },
    ];
  }

  async storage(): Promise<StorageReading | null> {
    const info = await this.redis!.info('memory');
    const bytes = Number(/used_memory:(\d+)/.exec(info)?.[1] ?? NaN);
    return { bytes, what: 'redis used_memory' };
  }

  async counters(): Promise<{ ops: number; what: string }> {
    const info = await this.redis!.info('stats');
    return { ops: Number(/total_commands_processed:(\d+)/.exec(info)?.[1] ?? NaN), what: 'redis commands' };
  }

  async stop(): Promise<void> {
    await this.worker.stop();
    await this.queue?.close();
    this.queue = null;
    this.redis?.disconnect();
    this.redis = null;
  }
}
