/**
 * Real processes for fault tests: the worker and the API as child processes (the real entrypoints, src/worker.ts and
 * src/server.ts, run through tsx's require hook) and a private Temporal dev server, each of which a test can
 * `kill -9` and start again.
 *
 *   const server = await DevServer.start();                       // own data dir, own free port, headless
 *   const worker = new WorkerProcess({ address: server.address, taskQueue, client });
 *   await worker.start();                                         // resolves once it polls the task queue
 *   await worker.kill9(); await worker.start();                   // SIGKILL, then a fresh process
 *   const api = new ApiProcess({ address: server.address, taskQueue });
 *   await api.start();                                            // resolves once /healthz answers
 *   await server.kill9(); await server.restart();                 // same data dir and port
 *   ...
 *   await Promise.all([worker.stop(), api.stop()]); await server.stop();
 *
 * Everything listens on 127.0.0.1; every wait is bounded in time; `stop()` is idempotent. Child processes that a test
 * forgets are SIGKILLed when the Jest worker exits.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { freePort } from './free-port';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { LOOPBACK_DESTINATIONS_LIST } from '../../src/delivery';

const execFileAsync = promisify(execFile);

const ROOT = path.resolve(__dirname, '..', '..');
const DEV_SCRIPT = path.join(ROOT, 'temporal-dev.sh');
/** The pid file temporal-dev.sh writes into its data dir. */
const DEV_PID_FILE = 'temporal-dev.pid';
/** How much of a child's output is kept, for the error message when it misbehaves. */
const OUTPUT_TAIL_CHARS = 16 * 1024;
const POLL_MS = 100;

/** Upper bounds on the waits below. A worker bundles its workflow code with webpack at start (seconds). */
export const WORKER_START_TIMEOUT_MS = 60_000;
export const API_START_TIMEOUT_MS = 30_000;
const EXIT_TIMEOUT_MS = 10_000;

// ---------------------------------------------------------------------------------------------------------------------
// Child-process bookkeeping: whatever is still alive when the Jest worker exits is killed.

const LIVE_KEY = Symbol.for('scheduled-events.test.live-children');
type LiveRegistry = { children: Set<ChildProcess> };

function liveChildren(): Set<ChildProcess> {
  const holder = globalThis as unknown as Record<symbol, LiveRegistry | undefined>;
  let registry = holder[LIVE_KEY];
  if (registry === undefined) {
    registry = { children: new Set() };
    holder[LIVE_KEY] = registry;
    // Once per process (not per test file's module registry), so listeners do not pile up.
    process.once('exit', () => {
      for (const child of registry?.children ?? []) child.kill('SIGKILL');
    });
  }
  return registry.children;
}

/** Whether `pid` is a live process (a zombie counts as dead: it only waits to be reaped). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // /proc/<pid>/stat: "pid (comm) S ..."; the state follows the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no procfs: trust kill(0)
  }
}

/** Polls `check` every POLL_MS until it returns true; rejects with `describe()` after `timeoutMs`. */
export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  describe: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${describe()}`);
    await sleep(POLL_MS);
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// The service's own processes

/** Settings a child must not inherit from the developer's shell or from other tests. */
const SCRUBBED_ENV = [
  'PORT',
  'HOST',
  'ADMIN_SECRET',
  'HASURA_GRAPHQL_ADMIN_SECRET',
  'TEMPORAL_TLS',
  'TEMPORAL_API_KEY',
  'TEMPORAL_TLS_CLIENT_CERT_PATH',
  'TEMPORAL_TLS_CLIENT_KEY_PATH',
  'TEMPORAL_TLS_SERVER_NAME',
  'TEMPORAL_CONFIG_FILE',
  'TEMPORAL_PROFILE',
  'NODE_OPTIONS',
];

function childEnv(overrides: Record<string, string | undefined>): NodeJS.ProcessEnv {
  // The tests' receivers are on 127.0.0.1, which the production default refuses (the SSRF guard); `npm start` allows
  // loopback the same way.
  const env: NodeJS.ProcessEnv = { ...process.env, WEBHOOK_ALLOWED_DESTINATIONS: LOOPBACK_DESTINATIONS_LIST };
  for (const name of SCRUBBED_ENV) delete env[name];
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

/**
 * One of the service's entrypoints as a child process (`node -r tsx/cjs <script>`: one process, so a SIGKILL of its
 * pid kills the whole service, unlike `npx tsx`, which runs the script in a grandchild). Can be started again after
 * it stopped or was killed; each start is a new process with a new pid.
 */
export class ServiceProcess {
  private child: ChildProcess | undefined;
  private exitPromise: Promise<void> | undefined;
  private tail = '';
  /** How many processes were started so far. */
  starts = 0;

  constructor(
    /** For messages: `worker`, `api`. */
    readonly name: string,
    private readonly script: string,
    private readonly env: () => Record<string, string | undefined>,
  ) {}

  /** The running process's pid; undefined when none runs. */
  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The last OUTPUT_TAIL_CHARS of stdout and stderr, over every start. */
  output(): string {
    return this.tail;
  }

  /** Starts a new process (the previous one must have exited). Does not wait for it to be ready. */
  spawn(): number {
    if (this.running) throw new Error(`${this.name} is already running (pid ${this.child?.pid})`);
    const child = spawn(process.execPath, ['-r', 'tsx/cjs', this.script], {
      cwd: ROOT,
      env: childEnv(this.env()),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (child.pid === undefined) throw new Error(`could not start ${this.name}`);
    const live = liveChildren();
    live.add(child);
    this.child = child;
    this.starts += 1;
    const keep = (chunk: Buffer) => {
      this.tail = (this.tail + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exitPromise = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        live.delete(child);
        this.tail += `\n[${this.name} pid ${child.pid} exited: code ${code}, signal ${signal}]\n`;
        resolve();
      });
    });
    return child.pid;
  }

  /** Waits for the current process to exit (bounded). */
  async exited(timeoutMs = EXIT_TIMEOUT_MS): Promise<void> {
    if (!this.exitPromise) return;
    await waitUntil(
      () => !this.running,
      timeoutMs,
      () => `${this.name} did not exit`,
    );
    await this.exitPromise;
  }

  /** `kill -9`: no shutdown code runs, in-flight work is abandoned. Resolves once the process is gone. */
  async kill9(): Promise<void> {
    if (!this.running) return;
    this.child?.kill('SIGKILL');
    await this.exited();
  }

  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`. Idempotent. */
  async stop(graceMs = 5000): Promise<void> {
    if (!this.running) return;
    this.child?.kill('SIGTERM');
    try {
      await this.exited(graceMs);
    } catch {
      await this.kill9();
    }
  }

  /** Rejects with the process's output if it is not running: for readiness loops. */
  protected assertRunning(): void {
    if (!this.running) throw new Error(`${this.name} exited during start-up; output:\n${this.tail}`);
  }
}

/** Connection settings shared by the worker and the API. */
export interface ServiceTarget {
  /** Temporal frontend, host:port. */
  address: string;
  namespace?: string;
  taskQueue: string;
  /** More environment for the process (e.g. values for `{{ENV}}` templates, WORKER_MAX_CONCURRENT_ATTEMPTS). */
  env?: Record<string, string>;
}

/** The worker's identity as the SDK builds it by default: `<pid>@<hostname>`. */
function workerIdentity(pid: number): string {
  return `${pid}@${hostname()}`;
}

/**
 * Whether a worker with this pid polls the task queue, for workflow tasks and activity tasks both. Pollers of a
 * killed worker stay listed for a while, hence the match on the pid's identity.
 */
export async function workerPolls(client: Client, taskQueue: string, pid: number): Promise<boolean> {
  const identity = workerIdentity(pid);
  const types = [
    temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
  ];
  try {
    const responses = await Promise.all(
      types.map((taskQueueType) =>
        client.workflowService.describeTaskQueue({
          namespace: client.options.namespace,
          taskQueue: { name: taskQueue },
          taskQueueType,
        }),
      ),
    );
    return responses.every((response) => (response.pollers ?? []).some((poller) => poller.identity === identity));
  } catch {
    return false; // the server is not answering (yet)
  }
}

/**
 * `src/worker.ts` as a child process. `client` (connected to the same server) is used to see its pollers.
 */
export class WorkerProcess extends ServiceProcess {
  constructor(private readonly options: ServiceTarget & { client: Client }) {
    super('worker', 'src/worker.ts', () => ({
      TEMPORAL_ADDRESS: options.address,
      TEMPORAL_NAMESPACE: options.namespace ?? 'default',
      TEMPORAL_TASK_QUEUE: options.taskQueue,
      // The SDK's own Rust-core logs go to stderr; kept in output() for failures.
      ...options.env,
    }));
  }

  /** Starts a new worker process and resolves once it polls the task queue; returns how long that took (ms). */
  async start(timeoutMs = WORKER_START_TIMEOUT_MS): Promise<number> {
    const started = Date.now();
    const pid = this.spawn();
    await this.waitReady(pid, timeoutMs);
    return Date.now() - started;
  }

  /** Waits until the process `pid` polls for workflow and activity tasks. */
  async waitReady(pid: number, timeoutMs = WORKER_START_TIMEOUT_MS): Promise<void> {
    await waitUntil(
      async () => {
        this.assertRunning();
        return workerPolls(this.options.client, this.options.taskQueue, pid);
      },
      timeoutMs,
      () => `worker pid ${pid} does not poll ${this.options.taskQueue}; output:\n${this.output()}`,
    );
  }
}

/** What `ApiProcess.fetch` returns. */
export interface ApiResponse {
  status: number;
  /** Parsed JSON, or the text when the body is not JSON; undefined when empty. */
  body: any;
  /** How long the request took, ms. */
  ms: number;
}

/**
 * `src/server.ts` as a child process on a free port of 127.0.0.1 (PORT=0 is not supported by the entrypoint: it
 * would not say which port it got).
 */
export class ApiProcess extends ServiceProcess {
  /** Chosen at the first start, kept by later ones. */
  private readonly listen: { port: number };

  constructor(options: ServiceTarget & { adminSecret?: string }) {
    const listen = { port: 0 };
    super('api', 'src/server.ts', () => ({
      TEMPORAL_ADDRESS: options.address,
      TEMPORAL_NAMESPACE: options.namespace ?? 'default',
      TEMPORAL_TASK_QUEUE: options.taskQueue,
      HOST: '127.0.0.1',
      PORT: String(listen.port),
      ADMIN_SECRET: options.adminSecret,
      ...options.env,
    }));
    this.listen = listen;
  }

  get port(): number {
    return this.listen.port;
  }

  get origin(): string {
    return `http://127.0.0.1:${this.listen.port}`;
  }

  url(urlPath: string): string {
    return `${this.origin}${urlPath}`;
  }

  /**
   * Starts the API and resolves once `/healthz` answers (it does not need Temporal); returns how long that took.
   * A new start keeps the port of the previous one, so clients need not learn a new address.
   */
  async start(timeoutMs = API_START_TIMEOUT_MS): Promise<number> {
    const started = Date.now();
    if (this.listen.port === 0) this.listen.port = await freePort();
    this.spawn();
    await waitUntil(
      async () => {
        this.assertRunning();
        try {
          return (await fetch(this.url('/healthz'), { signal: AbortSignal.timeout(1000) })).status === 200;
        } catch {
          return false;
        }
      },
      timeoutMs,
      () => `the API does not answer on ${this.origin}; output:\n${this.output()}`,
    );
    return Date.now() - started;
  }

  /** A request to the API; JSON bodies are encoded. Never throws for an HTTP status; throws on timeout. */
  async fetch(method: string, urlPath: string, body?: unknown, timeoutMs = 30_000): Promise<ApiResponse> {
    const started = performance.now();
    const res = await fetch(this.url(urlPath), {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    const ms = performance.now() - started;
    let parsed: unknown = text === '' ? undefined : text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body: parsed, ms };
  }

  /** POST /v1/metadata with a Hasura `{type, args}` envelope. */
  metadata(type: string, args: unknown, timeoutMs?: number): Promise<ApiResponse> {
    return this.fetch('POST', '/v1/metadata', { type, args }, timeoutMs);
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// A private Temporal dev server

/** Environment for temporal-dev.sh: ours, minus settings that would point it at a developer's setup. */
function devScriptEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env.TEMPORAL_DB_FILE;
  delete env.TEMPORAL_UI_PORT;
  delete env.TEMPORAL_RETENTION;
  return env;
}

/**
 * A Temporal dev server of one's own, started with `temporal-dev.sh start` (the project's flags: SQLite file in WAL
 * mode, our search attributes), headless, in a fresh temporary data dir and on a free port. `kill9()` SIGKILLs the
 * server process named in the data dir's pid file; `restart()` starts it again on the same port and database file.
 */
export class DevServer {
  private constructor(
    readonly dataDir: string,
    readonly port: number,
    readonly namespace: string,
  ) {}

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Starts a server in a new temporary data dir. A few free ports are tried (another process may take one first). */
  static async start(options: { namespace?: string } = {}): Promise<DevServer> {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'scheduled-events-devserver-'));
    const namespace = options.namespace ?? 'default';
    let lastError: unknown;
    for (let attempt = 1; attempt <= 3; attempt++) {
      const server = new DevServer(dataDir, await freePort(), namespace);
      try {
        await server.script('start');
        return server;
      } catch (error) {
        lastError = error;
        await server.script('stop').catch(() => undefined);
      }
    }
    await rm(dataDir, { recursive: true, force: true });
    throw lastError;
  }

  /** The pid of the running server (from the pid file), or undefined. */
  async pid(): Promise<number | undefined> {
    const pidFile = path.join(this.dataDir, DEV_PID_FILE);
    if (!existsSync(pidFile)) return undefined;
    const pid = Number((await readFile(pidFile, 'utf8')).trim());
    return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : undefined;
  }

  /** `kill -9` the server process; resolves once it is gone. The pid file stays, as after a crash. */
  async kill9(): Promise<void> {
    const pid = await this.pid();
    if (pid === undefined) throw new Error(`no running dev server in ${this.dataDir}`);
    process.kill(pid, 'SIGKILL');
    await waitUntil(
      () => !isAlive(pid),
      EXIT_TIMEOUT_MS,
      () => `dev server pid ${pid} is still alive`,
    );
  }

  /** Starts the server again with the same data dir (database) and port; returns how long until healthy (ms). */
  async restart(): Promise<number> {
    const started = Date.now();
    await this.script('start');
    return Date.now() - started;
  }

  /** Stops the server (if running) and removes its data dir, unless KEEP_TEMPORAL_TEST_DATA=1. Idempotent. */
  async stop(): Promise<void> {
    try {
      await this.script('stop');
    } finally {
      if (process.env.KEEP_TEMPORAL_TEST_DATA === '1') {
        console.log(`dev server data kept in ${this.dataDir}`);
      } else {
        await rm(this.dataDir, { recursive: true, force: true });
      }
    }
  }

  /** The server's log (temporal-dev.sh appends the server's output to it), for failure messages. */
  async log(): Promise<string> {
    const text = await readFile(path.join(this.dataDir, 'temporal-dev.log'), 'utf8').catch(() => '');
    return text.slice(-OUTPUT_TAIL_CHARS);
  }

  private async script(command: 'start' | 'stop'): Promise<void> {
    try {
      await execFileAsync('bash', [DEV_SCRIPT, command], {
        cwd: ROOT,
        env: devScriptEnv({
          TEMPORAL_PORT: String(this.port),
          TEMPORAL_HEADLESS: '1',
          TEMPORAL_DATA_DIR: this.dataDir,
          TEMPORAL_NAMESPACE: this.namespace,
        }),
        // `start` bounds its own wait at about 60 s; building the CLI (first run only) takes minutes.
        timeout: 10 * 60_000,
        maxBuffer: 16 * 1024 * 1024,
      });
    } catch (error) {
      const e = error as { stderr?: string; message: string };
      throw new Error(`temporal-dev.sh ${command} failed: ${e.message}\n${e.stderr ?? ''}`, { cause: error });
    }
  }
}
