import type { ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { requestJson, sleep } from '../http';
import { freePort, recordPid, spawnTracked, stopGroup, waitForPort } from '../infra';
import type { Role } from '../procstat';
import { pidListeningOn } from '../procstat';
import type { AdapterEnv, BenchEvent, StorageReading, SystemAdapter } from './types';
import { mapLimit } from './types';

/**
 * scheduled-events (this repository), driven through its HTTP API only, exactly as a user would:
 * `POST /v1/metadata` `create_scheduled_event` for single creates, `POST /v1/events/batch` (≤1,000) for batches when the
 * server has it (else concurrent singles).
 *
 * Start-up, per run, from the repository root (each overridable by env, see OURS_* below):
 *   1. `bash temporal-dev.sh start` with TEMPORAL_PORT, TEMPORAL_UI_PORT, TEMPORAL_DATA_DIR (empty, per run) and
 *      TEMPORAL_HEADLESS=1. It may stay in the foreground or daemonize (exit 0); then `bash temporal-dev.sh stop` with
 *      the same env stops it.
 *   2. worker and API as README "Running in production" runs them: `npm run build` (once per bench run), then `node
 *      --max-semi-space-size=64 dist/src/worker.js` (the node flags of the repository's `start:worker` script) and
 *      `node dist/src/server.js` (no npm process in the measured tree; a failed build fails the run); a checkout
 *      without a build (no `build` script or tsconfig.build.json) runs its `start:worker` script from
 *      `node_modules/.bin` and `tsx src/server.ts`. With TEMPORAL_ADDRESS,
 *      TEMPORAL_NAMESPACE=default, PORT, HOST=127.0.0.1 (or one process, OURS_MAIN_CMD / src/main.ts, when there is
 *      no src/worker.ts).
 *   3. ready when `GET /readyz` answers 200 (falls back to `/healthz` when /readyz is 404).
 * With OURS_URL set, nothing is started: the adapter uses that running service.
 */
const E = {
  url: process.env.OURS_URL,
  temporalCmd: process.env.OURS_TEMPORAL_CMD ?? 'bash temporal-dev.sh start',
  temporalStopCmd: process.env.OURS_TEMPORAL_STOP_CMD ?? 'bash temporal-dev.sh stop',
  workerCmd: process.env.OURS_WORKER_CMD,
  serverCmd: process.env.OURS_SERVER_CMD,
  mainCmd: process.env.OURS_MAIN_CMD,
  secret: process.env.OURS_ADMIN_SECRET,
  startTimeoutMs: Number(process.env.OURS_START_TIMEOUT_S ?? 600) * 1000,
  singleConcurrency: Number(process.env.OURS_FALLBACK_CONCURRENCY ?? 50),
};

/**
 * `npm run build` in `repoRoot`, once per bench process: the checkout does not change during a run, and each build
 * takes seconds. A failed build fails the run that asked for it, and the next start tries again.
 */
const builds = new Map<string, Promise<void>>();
function buildOnce(repoRoot: string, log: (m: string) => void): Promise<void> {
  let build = builds.get(repoRoot);
  if (build === undefined) {
    log('ours: npm run build');
    build = new Promise<void>((resolve, reject) =>
      execFile('npm', ['run', 'build'], { cwd: repoRoot }, (error, stdout, stderr) =>
        error ? reject(new Error(`npm run build failed: ${error.message}\n${stdout}${stderr}`)) : resolve(),
      ),
    );
    build.catch(() => builds.delete(repoRoot));
    builds.set(repoRoot, build);
  }
  return build;
}

export class OursAdapter implements SystemAdapter {
  readonly name = 'ours';
  readonly label = 'scheduled-events (Temporal dev server)';
  readonly needs = [] as const;
  batchKind: string | null = 'POST /v1/events/batch';
  private base = '';
  private webhook = '';
  private temporal: ChildProcess | null = null;
  private temporalDaemon = false;
  private temporalEnv: Record<string, string> = {};
  private temporalPort = 0;
  private temporalPid = 0;
  private procs: { role: string; child: ChildProcess }[] = [];
  private dataDir = '';
  private batchAvailable: boolean | null = null;
  private log: (m: string) => void = () => undefined;
  private repoRoot = '';
  private logs: string[] = [];
  /** The worker's and the API's commands, once `start` has read them (`resolveCommands`). */
  private commands: { worker: string; api: string } | null = null;

  config(): Record<string, unknown> {
    return {
      api: this.base,
      temporal: E.url ? 'external' : E.temporalCmd,
      worker: E.url ? 'external' : (E.mainCmd ?? this.commands?.worker ?? E.workerCmd ?? '(not started)'),
      server: E.url ? 'external' : E.mainCmd ? null : (this.commands?.api ?? E.serverCmd ?? '(not started)'),
      batch: this.batchAvailable === false ? `concurrent singles (${E.singleConcurrency})` : this.batchKind,
    };
  }

  /**
   * How the worker and the API are started, read once per start (`commands`):
   * - OURS_WORKER_CMD / OURS_SERVER_CMD when set;
   * - else built, as README "Running in production" runs them (after `npm run build`, `node <the start:worker
   *   script's node flags> dist/src/worker.js` and `node dist/src/server.js`): `tsx` names each closure as it is
   *   made, and a burst of 10,000 went out 0.11 s or more later at p99 through it (bench/PERFORMANCE.md, "The built
   *   worker, again");
   * - else, for a checkout without a build (no `build` script or tsconfig.build.json), its `start:worker` script (or
   *   plain `tsx src/worker.ts`) and `tsx src/server.ts`.
   */
  private resolveCommands(): { worker: string; api: string; build: boolean } {
    let scripts: Record<string, unknown> = {};
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(this.repoRoot, 'package.json'), 'utf8')) as {
        scripts?: Record<string, unknown>;
      };
      scripts = pkg.scripts ?? {};
    } catch {
      // No package.json: the fallbacks below.
    }
    const { build, 'start:worker': startWorker } = scripts;
    const buildable = typeof build === 'string' && fs.existsSync(path.join(this.repoRoot, 'tsconfig.build.json'));
    const flags = typeof startWorker === 'string' ? startWorker.split(/\s+/).filter((t) => t.startsWith('--')) : [];
    const worker =
      E.workerCmd ??
      (buildable
        ? ['node', ...flags, 'dist/src/worker.js'].join(' ')
        : `node_modules/.bin/${typeof startWorker === 'string' ? startWorker : 'tsx src/worker.ts'}`);
    const api = E.serverCmd ?? (buildable ? 'node dist/src/server.js' : 'node_modules/.bin/tsx src/server.ts');
    return { worker, api, build: buildable && (E.workerCmd === undefined || E.serverCmd === undefined) };
  }

  /** Why ours cannot run yet (missing entrypoints), or null. */
  static missing(repoRoot: string): string | null {
    if (E.url) return null;
    const need = ['temporal-dev.sh', ...(E.mainCmd ? [] : ['src/worker.ts', 'src/server.ts'])];
    const absent = need.filter((f) => !fs.existsSync(path.join(repoRoot, f)));
    if (absent.length && !E.mainCmd && fs.existsSync(path.join(repoRoot, 'src/main.ts'))) return null;
    return absent.length ? `missing ${absent.join(', ')} in ${repoRoot}` : null;
  }

  private headers(): Record<string, string> {
    return E.secret ? { 'x-hasura-admin-secret': E.secret } : {};
  }

  async start(env: AdapterEnv): Promise<void> {
    this.log = env.log;
    this.repoRoot = env.repoRoot;
    this.webhook = env.webhookUrl;
    this.batchAvailable = null;
    if (E.url) {
      this.base = E.url.replace(/\/$/, '');
      await this.waitReady(60_000);
      return;
    }
    const why = OursAdapter.missing(env.repoRoot);
    if (why) throw new Error(`our service cannot start: ${why}`);

    this.temporalPort = await freePort();
    const uiPort = await freePort();
    const apiPort = await freePort();
    this.dataDir = path.join(env.tmp, `ours-${env.runTag}`);
    fs.mkdirSync(this.dataDir, { recursive: true });
    this.temporalEnv = {
      TEMPORAL_PORT: String(this.temporalPort),
      TEMPORAL_UI_PORT: String(uiPort),
      TEMPORAL_DATA_DIR: this.dataDir,
      TEMPORAL_HEADLESS: '1',
      TEMPORAL_VERSION_CHECK_DISABLED: '1',
    };
    const tEnv = { ...process.env, ...this.temporalEnv };
    // Output of every process we start goes to a log file; a failed start quotes its tail.
    const logDir = path.join(env.tmp, 'logs');
    fs.mkdirSync(logDir, { recursive: true });
    this.logs = [];
    const logFd = (role: string): number => {
      const file = path.join(logDir, `${env.runTag}-${role}.log`);
      this.logs.push(file);
      return fs.openSync(file, 'a');
    };
    const tLog = logFd('temporal');
    this.temporal = spawnTracked('bash', ['-c', E.temporalCmd], {
      cwd: env.repoRoot,
      env: tEnv,
      stdio: ['ignore', tLog, tLog],
    });
    const exited = new Promise<number | null>((r) => this.temporal!.once('exit', (code) => r(code)));
    // `temporal-dev.sh start` puts the server in the background and exits 0 once it is healthy and configured; any
    // other command is taken to run the server in the foreground, ready once its port opens.
    this.temporalDaemon = /\bstart\s*$/.test(E.temporalCmd);
    try {
      if (this.temporalDaemon) {
        // An unref'd bound: a pending 10-minute timer kept the whole benchmark alive that long after its last run.
        const bound = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), E.startTimeoutMs).unref());
        const code = await Promise.race([exited, bound]);
        if (code !== 0)
          throw new Error(`'${E.temporalCmd}' ${code === 'timeout' ? 'timed out' : `exited with ${code}`}`);
        await waitForPort(this.temporalPort, 10_000);
      } else {
        await waitForPort(this.temporalPort, E.startTimeoutMs, this.temporal);
      }
    } catch (err) {
      throw new Error(`${String(err)}\n${this.logTails()}`);
    }
    this.temporalPid = pidListeningOn(this.temporalPort) ?? this.temporal.pid ?? 0;
    recordPid(this.temporalPid);

    const svcEnv: Record<string, string> = {
      ...(process.env as Record<string, string>),
      TEMPORAL_ADDRESS: `127.0.0.1:${this.temporalPort}`,
      TEMPORAL_NAMESPACE: 'default',
      PORT: String(apiPort),
      HOST: '127.0.0.1',
      NODE_ENV: 'production',
      // The bench's receiver is on 127.0.0.1, which the production default refuses (the SSRF guard).
      WEBHOOK_ALLOWED_DESTINATIONS: '127.0.0.1',
      // A stop between runs should not wait 30 s for attempts in flight.
      WORKER_SHUTDOWN_GRACE_SECONDS: process.env.WORKER_SHUTDOWN_GRACE_SECONDS ?? '5',
    };
    const launch = (role: string, cmd: string): void => {
      const fd = logFd(role);
      const child = spawnTracked('bash', ['-c', `exec ${cmd}`], {
        cwd: env.repoRoot,
        env: svcEnv,
        stdio: ['ignore', fd, fd],
      });
      this.procs.push({ role, child });
    };
    const main =
      E.mainCmd ??
      (fs.existsSync(path.join(env.repoRoot, 'src/worker.ts')) ? null : 'node_modules/.bin/tsx src/main.ts');
    if (main) launch('service', main);
    else {
      const { build, ...commands } = this.resolveCommands();
      if (build) await buildOnce(this.repoRoot, this.log);
      this.commands = commands;
      launch('worker', commands.worker);
      launch('api', commands.api);
    }
    this.base = `http://127.0.0.1:${apiPort}`;
    try {
      await this.waitReady(Math.min(E.startTimeoutMs, 180_000));
    } catch (err) {
      throw new Error(`${String(err)}\n${this.logTails()}`);
    }
  }

  /** The last lines of each process's log, for an error message. */
  private logTails(lines = 15): string {
    return this.logs
      .map((file) => {
        let text = '';
        try {
          text = fs.readFileSync(file, 'utf8');
        } catch {
          return '';
        }
        const tail = text.trimEnd().split('\n').slice(-lines).join('\n');
        return `--- ${path.basename(file)}\n${tail}`;
      })
      .filter(Boolean)
      .join('\n');
  }

  private async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    let path = '/readyz';
    while (Date.now() < deadline) {
      for (const { role, child } of this.procs) {
        if (child.exitCode !== null) throw new Error(`our ${role} exited with code ${child.exitCode} during start`);
      }
      try {
        const res = await requestJson('GET', `${this.base}${path}`, undefined, {}, 5000);
        if (res.status === 200) return;
        if (res.status === 404 && path === '/readyz') path = '/healthz';
        last = `${path} ${res.status} ${res.body.slice(0, 200)}`;
      } catch (err) {
        last = err instanceof Error ? err.message : String(err);
      }
      await sleep(500);
    }
    throw new Error(`our service not ready after ${timeoutMs} ms: ${last}`);
  }

  private args(ev: BenchEvent): Record<string, unknown> {
    return { webhook: this.webhook, schedule_at: new Date(ev.dueAt).toISOString(), payload: ev.payload };
  }

  async schedule(ev: BenchEvent): Promise<void> {
    const res = await requestJson(
      'POST',
      `${this.base}/v1/metadata`,
      { type: 'create_scheduled_event', args: this.args(ev) },
      this.headers(),
    );
    if (res.status !== 200) throw new Error(`create_scheduled_event: ${res.status} ${res.body.slice(0, 300)}`);
  }

  async scheduleMany(evs: BenchEvent[]): Promise<void> {
    if (this.batchAvailable !== false) {
      const res = await requestJson(
        'POST',
        `${this.base}/v1/events/batch`,
        { events: evs.map((e) => this.args(e)) },
        this.headers(),
        120_000,
      );
      if (res.status === 200) {
        this.batchAvailable = true;
        const results = (JSON.parse(res.body) as { results?: { error?: unknown }[] }).results ?? [];
        const failed = results.filter((r) => r && r.error);
        if (failed.length) throw new Error(`batch: ${failed.length} items failed: ${JSON.stringify(failed[0])}`);
        return;
      }
      if (this.batchAvailable === null && (res.status === 404 || res.status === 405)) {
        this.batchAvailable = false;
        this.batchKind = null;
        this.log(`ours: no /v1/events/batch (${res.status}); batches fall back to concurrent singles`);
      } else {
        throw new Error(`batch: ${res.status} ${res.body.slice(0, 300)}`);
      }
    }
    await mapLimit(evs, E.singleConcurrency, (ev) => this.schedule(ev));
  }

  roles(): Role[] {
    const roles: Role[] = this.procs.map(({ role, child }) => ({ role, pid: child.pid ?? 0 }));
    if (this.temporalPid) roles.push({ role: 'temporal', pid: this.temporalPid });
    if (E.url) {
      const port = Number(new URL(this.base).port);
      const pid = port ? pidListeningOn(port) : null;
      if (pid) roles.push({ role: 'api', pid });
    }
    return roles;
  }

  async storage(): Promise<StorageReading | null> {
    if (!this.dataDir) return null;
    // The SQLite database and its WAL/SHM files; not the server's log.
    const bytes = fs
      .readdirSync(this.dataDir)
      .filter((f) => f.includes('.sqlite') || f.endsWith('.db'))
      .reduce((a, f) => a + fs.statSync(path.join(this.dataDir, f)).size, 0);
    return { bytes, what: 'Temporal SQLite files' };
  }

  async stop(): Promise<void> {
    for (const { child } of this.procs.reverse()) await stopGroup(child, 15_000);
    this.procs = [];
    if (this.temporal) {
      if (this.temporalDaemon) {
        await new Promise<void>((r) =>
          execFile(
            'bash',
            ['-c', E.temporalStopCmd],
            { cwd: this.repoRoot, env: { ...process.env, ...this.temporalEnv }, timeout: 60_000 },
            () => r(),
          ),
        );
      }
      // Whatever is left of the start command's process group (the server runs in it), then the server by its pid.
      await stopGroup(this.temporal, 20_000);
      if (this.temporalPid && isTemporal(this.temporalPid)) {
        try {
          process.kill(this.temporalPid, 'SIGKILL');
        } catch {
          // gone
        }
      }
      this.temporal = null;
    }
    this.temporalPid = 0;
    // BENCH_KEEP_TMP (bench/run.sh) keeps the run's database and server log too: `temporal-dev.sh start` on it
    // (TEMPORAL_DATA_DIR) shows every event's history after the run.
    if (this.dataDir && !process.env.BENCH_KEEP_TMP) fs.rmSync(this.dataDir, { recursive: true, force: true });
    this.dataDir = '';
  }
}

/** The pid is alive and is a Temporal server (not a recycled pid). */
function isTemporal(pid: number): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('start-dev');
  } catch {
    return false;
  }
}
