import type { ChildProcess } from 'node:child_process';
import { fork } from 'node:child_process';
import path from 'node:path';
import { requestJson } from './http';
import { recordPid, stopGroup } from './infra';

/** The shared receiver process, seen from the harness. */
export class Receiver {
  private child: ChildProcess | null = null;
  port = 0;

  async start(): Promise<void> {
    const child = fork(path.join(__dirname, 'receiver.js'), [], {
      env: { ...process.env, RECEIVER_PORT: '0' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      detached: true,
    });
    recordPid(child.pid);
    this.child = child;
    this.port = await new Promise<number>((resolve, reject) => {
      child.once('message', (m: { type?: string; port?: number }) =>
        m.type === 'ready' ? resolve(m.port!) : undefined,
      );
      child.once('exit', (code) => reject(new Error(`receiver exited with ${code}`)));
    });
  }

  get pid(): number {
    return this.child?.pid ?? 0;
  }

  url(system: string): string {
    return `http://127.0.0.1:${this.port}/hook/${system}`;
  }

  async count(): Promise<{ unique: number; total: number; bad: number }> {
    return JSON.parse((await requestJson('GET', `http://127.0.0.1:${this.port}/_count`)).body);
  }

  /** Every arrival since the last reset: [bench id, wall-clock ms, Idempotency-Key matched body id (1/0)]. */
  async dump(): Promise<{ rows: [string, number, number][]; bad: number }> {
    return JSON.parse((await requestJson('GET', `http://127.0.0.1:${this.port}/_dump`, undefined, {}, 120_000)).body);
  }

  async reset(): Promise<void> {
    await requestJson('POST', `http://127.0.0.1:${this.port}/_reset`);
  }

  async stop(): Promise<void> {
    await stopGroup(this.child, 5000);
    this.child = null;
  }
}
