import type { ChildProcess } from 'node:child_process';
import { fork } from 'node:child_process';
import path from 'node:path';
import { recordPid } from '../infra';
import { sleep } from '../http';

/**
 * A peer's worker as its own Node process (dist/workers/<name>.js), so its CPU and memory are measured apart from the
 * load generator. It reports `{type: 'ready'}` over IPC once it is consuming, and exits on `{type: 'stop'}`.
 */
export class WorkerProcess {
  child: ChildProcess | null = null;
  private handlers = new Map<number, (msg: Record<string, unknown>) => void>();
  private seq = 0;

  constructor(
    private readonly script: string,
    private readonly label: string,
  ) {}

  async start(env: Record<string, string>, timeoutMs = 60_000): Promise<void> {
    const child = fork(path.join(__dirname, '..', 'workers', `${this.script}.js`), [], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      detached: true,
      serialization: 'advanced',
    });
    recordPid(child.pid);
    this.child = child;
    child.on('message', (msg: Record<string, unknown>) => {
      if (typeof msg.seq === 'number') {
        const h = this.handlers.get(msg.seq);
        this.handlers.delete(msg.seq);
        h?.(msg);
      }
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${this.label} worker not ready after ${timeoutMs} ms`)),
        timeoutMs,
      );
      const onMsg = (msg: { type?: string }): void => {
        if (msg.type === 'ready') {
          clearTimeout(timer);
          child.off('message', onMsg);
          resolve();
        }
      };
      child.on('message', onMsg);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${this.label} worker exited with code ${code} during start`));
      });
    });
  }

  /** Send a request over IPC and wait for the reply carrying the same seq. */
  request(msg: Record<string, unknown>): Promise<Record<string, unknown>> {
    const child = this.child;
    if (!child || !child.connected) return Promise.reject(new Error(`${this.label} worker is not running`));
    const seq = ++this.seq;
    return new Promise((resolve, reject) => {
      this.handlers.set(seq, (reply) => (reply.error ? reject(new Error(String(reply.error))) : resolve(reply)));
      child.send({ ...msg, seq }, (err) => {
        if (err) {
          this.handlers.delete(seq);
          reject(err);
        }
      });
    });
  }

  get pid(): number {
    return this.child?.pid ?? 0;
  }

  async stop(graceMs = 10_000): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    if (child.connected) child.send({ type: 'stop' });
    else child.kill('SIGTERM');
    if (await Promise.race([exited.then(() => false), sleep(graceMs).then(() => true)])) {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // gone
      }
      await Promise.race([exited, sleep(2000)]);
    }
  }
}
