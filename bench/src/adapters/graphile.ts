import type { WorkerUtils } from 'graphile-worker';
import { Logger, makeWorkerUtils } from 'graphile-worker';
import type { PgInfo } from '../infra';
import { freshDatabase } from '../infra';
import type { Role } from '../procstat';
import { WorkerProcess } from './child';
import { pgCounters, pgStorage } from './pg-common';
import type { AdapterEnv, BenchEvent, StorageReading, SystemAdapter } from './types';
import { webhookBody } from './types';

const CONCURRENCY = Number(process.env.GRAPHILE_CONCURRENCY ?? 32);
const quiet = new Logger(() => (level, message) => {
  if (level === 'error') console.error(`graphile-worker utils: ${message}`);
});

/** Graphile Worker 0.17 `addJob(…, {runAt})` / `addJobs`; the runner polls every `pollMs` (2000 is its default). */
export class GraphileAdapter implements SystemAdapter {
  readonly needs = ['postgres'] as const;
  readonly batchKind = 'addJobs';
  readonly label: string;
  private worker = new WorkerProcess('graphile', 'graphile-worker');
  private utils: WorkerUtils | null = null;
  private pg: PgInfo | null = null;
  private db = '';

  constructor(
    readonly name: string,
    private readonly pollMs: number,
  ) {
    this.label = `Graphile Worker 0.17 (poll ${pollMs / 1000} s)`;
  }

  config(): Record<string, unknown> {
    return { pollInterval: this.pollMs, concurrency: CONCURRENCY, maxAttempts: 1 };
  }

  async start(env: AdapterEnv): Promise<void> {
    this.pg = env.pg!;
    this.db = `graphile_${env.runTag}`;
    await freshDatabase(this.pg, this.db);
    const url = this.pg.url(this.db);
    this.utils = await makeWorkerUtils({ connectionString: url, maxPoolSize: 60, logger: quiet });
    await this.utils.migrate();
    await this.worker.start({
      WEBHOOK_URL: env.webhookUrl,
      DATABASE_URL: url,
      POLL_MS: String(this.pollMs),
      CONCURRENCY: String(CONCURRENCY),
    });
  }

  async schedule(ev: BenchEvent): Promise<void> {
    await this.utils!.addJob('hook', webhookBody(ev), { runAt: new Date(ev.dueAt), maxAttempts: 1 });
  }

  async scheduleMany(evs: BenchEvent[]): Promise<void> {
    await this.utils!.addJobs(
      evs.map((ev) => ({ identifier: 'hook', payload: webhookBody(ev), runAt: new Date(ev.dueAt), maxAttempts: 1 })),
    );
  }

  roles(): Role[] {
    return [
      { role: 'worker', pid: this.worker.pid },
      { role: 'postgres', pid: this.pg?.pid ?? 0 },
    ];
  }

  storage(): Promise<StorageReading> {
    return pgStorage(this.pg!, this.db);
  }

  counters(): Promise<{ ops: number; what: string }> {
    return pgCounters(this.pg!, this.db);
  }

  async stop(): Promise<void> {
    await this.worker.stop();
    await this.utils?.release();
    this.utils = null;
  }
}
