/**
 * Private Redis and PostgreSQL instances for one bench session: data in the session's temp dir, bound to 127.0.0.1
 * on free ports, never the system services. Every child pid is appended to `$BENCH_TMP/pids` so that run.sh's trap can
 * end them by id if this process dies without cleaning up.
 */
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Client } from 'pg';
import { sleep } from './http';

export const benchTmp = process.env.BENCH_TMP ?? fs.mkdtempSync('/tmp/se-bench-');
fs.mkdirSync(benchTmp, { recursive: true });

/** A free TCP port on 127.0.0.1 (the OS picks one; a tiny race with other programs is accepted). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export function recordPid(pid: number | undefined): void {
  if (pid) fs.appendFileSync(path.join(benchTmp, 'pids'), `${pid}\n`);
}

/** Spawn a child in its own process group (so it and its children can be stopped together) and record its pid. */
export function spawnTracked(cmd: string, args: string[], opts: SpawnOptions): ChildProcess {
  const child = spawn(cmd, args, { ...opts, detached: true });
  recordPid(child.pid);
  return child;
}

/** Whether any process of the group led (or once led) by `pgid` is still alive. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Stop a process we started: `signal` to its process group (or to the process alone, when `group` is false), then
 * SIGKILL to the group after `graceMs` if anything of it is still there. The group is signalled even when its leader
 * has already exited: a script that put a server in the background (nohup … &) leaves it in the script's group.
 */
export async function stopGroup(
  child: ChildProcess | null | undefined,
  graceMs = 10_000,
  signal: NodeJS.Signals = 'SIGTERM',
  group = true,
): Promise<void> {
  if (!child || child.pid === undefined) return;
  const pid = child.pid;
  const alive = (): boolean => (group ? groupAlive(pid) : child.exitCode === null && child.signalCode === null);
  if (!alive()) return;
  try {
    process.kill(group ? -pid : pid, signal);
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (alive() && Date.now() < deadline) await sleep(100);
  if (alive()) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
    const hard = Date.now() + 2000;
    while (alive() && Date.now() < hard) await sleep(100);
  }
}

export function waitForPort(port: number, timeoutMs: number, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = (): void => {
      if (child && child.exitCode !== null && child.exitCode !== 0) {
        reject(new Error(`process exited with code ${child.exitCode} before port ${port} opened`));
        return;
      }
      const sock = net.connect(port, '127.0.0.1');
      sock.once('connect', () => {
        sock.destroy();
        resolve();
      });
      sock.once('error', () => {
        sock.destroy();
        if (Date.now() > deadline) reject(new Error(`port ${port} did not open within ${timeoutMs} ms`));
        else setTimeout(attempt, 200);
      });
    };
    attempt();
  });
}

function which(bin: string): string | null {
  try {
    return (
      execFileSync('bash', ['-c', `command -v ${bin}`])
        .toString()
        .trim() || null
    );
  } catch {
    return null;
  }
}

function pgBin(name: string): string {
  const dirs = fs.existsSync('/usr/lib/postgresql')
    ? fs
        .readdirSync('/usr/lib/postgresql')
        .sort((a, b) => Number(b) - Number(a))
        .map((v) => `/usr/lib/postgresql/${v}/bin/${name}`)
    : [];
  const found = dirs.find((p) => fs.existsSync(p)) ?? which(name);
  if (!found) throw new Error(`${name} not found: apt-get install -y postgresql`);
  return found;
}

export interface RedisInfo {
  port: number;
  pid: number;
  version: string;
  stop(): Promise<void>;
}

export async function startRedis(): Promise<RedisInfo> {
  const bin = which('redis-server');
  if (!bin) throw new Error('redis-server not found: apt-get install -y redis-server');
  const port = await freePort();
  const dir = path.join(benchTmp, 'redis');
  fs.mkdirSync(dir, { recursive: true });
  const child = spawnTracked(
    bin,
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      'no',
      '--daemonize',
      'no',
      '--loglevel',
      'warning',
      '--maxmemory-policy',
      'noeviction',
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  await waitForPort(port, 15_000, child);
  const version =
    execFileSync(bin, ['--version'])
      .toString()
      .match(/v=(\S+)/)?.[1] ?? 'unknown';
  return { port, pid: child.pid!, version, stop: () => stopGroup(child) };
}

export interface PgInfo {
  port: number;
  /** postmaster pid: the root of every backend. */
  pid: number;
  version: string;
  url(db: string): string;
  admin<T>(fn: (c: Client) => Promise<T>, db?: string): Promise<T>;
  stop(): Promise<void>;
}

/**
 * initdb + postgres in the temp dir, trust auth for user `bench` on 127.0.0.1 only. As root, both run as the
 * `postgres` system user (PostgreSQL refuses to run as root).
 */
export async function startPostgres(): Promise<PgInfo> {
  const initdb = pgBin('initdb');
  const postgres = pgBin('postgres');
  const port = await freePort();
  const dir = path.join(benchTmp, 'pg');
  const data = path.join(dir, 'data');
  fs.mkdirSync(dir, { recursive: true });
  let ids: { uid?: number; gid?: number } = {};
  if (process.getuid && process.getuid() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    ids = { uid, gid };
    fs.chmodSync(benchTmp, 0o755);
    fs.chownSync(dir, uid, gid);
  }
  execFileSync(initdb, ['-D', data, '-U', 'bench', '--auth=trust', '-E', 'UTF8', '--no-sync', '--locale=C'], {
    ...ids,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const child = spawnTracked(
    postgres,
    [
      '-D',
      data,
      '-p',
      String(port),
      '-k',
      dir,
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'max_connections=300',
      '-c',
      'shared_buffers=256MB',
      '-c',
      'log_min_messages=warning',
      '-c',
      'logging_collector=off',
      '-c',
      'log_min_error_statement=panic',
    ],
    // The server log goes to a file in the temp dir (graphile's first-run probe logs an expected ERROR, for one).
    { ...ids, stdio: ['ignore', 'ignore', fs.openSync(path.join(dir, 'postgres.log'), 'a')] },
  );
  await waitForPort(port, 30_000, child);
  const url = (db: string): string => `postgres://bench@127.0.0.1:${port}/${db}`;
  const admin = async <T>(fn: (c: Client) => Promise<T>, db = 'postgres'): Promise<T> => {
    for (let i = 0; ; i++) {
      const c = new Client({ connectionString: url(db) });
      try {
        await c.connect();
      } catch (err) {
        // "the database system is starting up" right after the port opens
        if (i > 50) throw err;
        await sleep(200);
        continue;
      }
      try {
        return await fn(c);
      } finally {
        await c.end();
      }
    }
  };
  const version = await admin(async (c) => (await c.query('show server_version')).rows[0].server_version as string);
  return { port, pid: child.pid!, version, url, admin, stop: () => stopGroup(child, 20_000, 'SIGINT', false) }; // SIGINT = fast shutdown
}

/** Drop and recreate a database in the private instance: every run starts from an empty one. */
export async function freshDatabase(pg: PgInfo, db: string): Promise<void> {
  await pg.admin(async (c) => {
    await c.query(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
    await c.query(`CREATE DATABASE "${db}"`);
  });
}
