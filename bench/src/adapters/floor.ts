import type { Role } from '../procstat';
import { WorkerProcess } from './child';
import type { AdapterEnv, BenchEvent, StorageReading, SystemAdapter } from './types';
import { webhookBody } from './types';

/** In-process setTimeout + HTTP: the physical floor of lateness on this machine. Scheduling goes over IPC. */
export class FloorAdapter implements SystemAdapter {
  readonly name = 'floor';
  readonly label = 'floor (setTimeout + HTTP)';
  readonly needs = [] as const;
  readonly batchKind = 'IPC message';
  private worker = new WorkerProcess('floor', 'floor');

  config(): Record<string, unknown> {
    return { store: 'none (in-memory timers)', transport: 'IPC from the load generator' };
  }

  async start(env: AdapterEnv): Promise<void> {
    await this.worker.start({ WEBHOOK_URL: env.webhookUrl });
  }

  async schedule(ev: BenchEvent): Promise<void> {
    await this.scheduleMany([ev]);
  }

  async scheduleMany(evs: BenchEvent[]): Promise<void> {
    await this.worker.request({ type: 'schedule', events: evs.map((e) => ({ dueAt: e.dueAt, body: webhookBody(e) })) });
  }

  roles(): Role[] {
    return [{ role: 'worker', pid: this.worker.pid }];
  }

  async storage(): Promise<StorageReading | null> {
    return null;
  }

  async stop(): Promise<void> {
    await this.worker.stop();
  }
}
