/**
 * What listing delayed jobs costs in the peers when N jobs are pending: one page of 100 at the start, middle and
 * end of the due-time order, a count, and 20 concurrent clients paging at random offsets.
 *
 *   node bench/dist/listing-peers.js --pending 100000 --repeats 3 [--peers bullmq,pgboss,graphile]
 *
 * Each peer is read the way its users would list a schedule: BullMQ through `Queue.getDelayed` / `getJobCounts`,
 * pg-boss and Graphile Worker by SQL on their job tables (neither has a listing API for pending jobs). Nothing consumes
 * the jobs: no workers run, every job is due at least an hour after the run starts.
 *
 * Prints one JSON line per peer on stdout and writes a markdown table to bench/results/listing-peers-<UTC>.md.
 * Starts its own Redis / PostgreSQL (bench/src/infra.ts) on free 127.0.0.1 ports and stops them at the end.
 */
import { Queue } from 'bullmq';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { WorkerUtils } from 'graphile-worker';
import { Logger, makeWorkerUtils } from 'graphile-worker';
import { Client } from 'pg';
import PgBoss from 'pg-boss';
import type { PgInfo, RedisInfo } from './infra';
import { benchTmp, freshDatabase, startPostgres, startRedis } from './infra';
import type { BenchEvent } from './adapters/types';
import { webhookBody } from './adapters/types';
import { median, percentile } from './stats';

const PAGE_SIZE = 100;
const CHUNK_SIZE = 1000;
const HORIZON_MS = 60 * 24 * 3600_000;
/** Nothing may become due while we measure: the earliest job is this far after the run's start. */
const MIN_DELAY_MS = 3600_000;
const BURST_INSTANTS = 10;
const CONCURRENT_CLIENTS = 20;
const PAGES_PER_CLIENT = 20;
const QUEUE_NAME = 'hook';
const ALL_PEERS = ['bullmq', 'pgboss', 'graphile'] as const;
type PeerName = (typeof ALL_PEERS)[number];

interface Options {
  pending: number;
  repeats: number;
  peers: PeerName[];
}

function parseOptions(argv: string[]): Options {
  const opts: Options = { pending: 100_000, repeats: 3, peers: [...ALL_PEERS] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === '--pending') opts.pending = Number(value());
    else if (arg === '--repeats') opts.repeats = Number(value());
    else if (arg === '--peers') opts.peers = value().split(',') as PeerName[];
    else throw new Error(`unknown option ${arg} (known: --pending N, --repeats N, --peers bullmq,pgboss,graphile)`);
  }
  if (!Number.isInteger(opts.pending) || opts.pending < PAGE_SIZE) throw new Error(`--pending must be >= ${PAGE_SIZE}`);
  if (!Number.isInteger(opts.repeats) || opts.repeats < 1) throw new Error('--repeats must be >= 1');
  for (const p of opts.peers) if (!ALL_PEERS.includes(p)) throw new Error(`unknown peer ${p}`);
  return opts;
}

/** mulberry32: a seeded PRNG, so that every peer gets the same due times and the same random page offsets. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * N events due over the next 60 days in random insertion order; every 10th one falls on one of 10 shared instants
 * (whole minutes), as bursts of reminders set for the same moment would. Ties are where an ORDER BY needs its `id`.
 */
function makeEvents(n: number, startMs: number): BenchEvent[] {
  const rnd = prng(42);
  const spread = (): number => startMs + MIN_DELAY_MS + Math.floor(rnd() * (HORIZON_MS - MIN_DELAY_MS));
  const bursts = Array.from({ length: BURST_INSTANTS }, () => Math.floor(spread() / 60_000) * 60_000 + 60_000);
  return Array.from({ length: n }, (_, i) => {
    const dueAt = i % 10 === 0 ? bursts[(i / 10) % BURST_INSTANTS]! : spread();
    const bid = `lp-${i}`;
    return { bid, dueAt, payload: { bid } };
  });
}

function chunks<T>(xs: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
  return out;
}

async function timedMs<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

function log(msg: string): void {
  process.stderr.write(`[listing-peers ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

/** One reader of a peer's pending jobs; `page` resolves with the number of jobs it returned. */
interface Reader {
  page(offset: number): Promise<number>;
  count(): Promise<number>;
  close(): Promise<void>;
}

/** A peer loaded with the events; readers are opened after loading, one per simulated client. */
interface Peer {
  readonly name: PeerName;
  readonly label: string;
  /** How the page is read, for the report. */
  readonly pageCall: string;
  load(events: readonly BenchEvent[], startMs: number): Promise<void>;
  openReader(): Promise<Reader>;
  /** The query plan of a page at `offset`, condensed to node names, for the pg peers. */
  plan?(offset: number): Promise<string>;
  stop(): Promise<void>;
}

class BullmqPeer implements Peer {
  readonly name = 'bullmq';
  readonly label = 'BullMQ 6.7 (Redis)';
  readonly pageCall = 'queue.getDelayed(k, k+99)';
  private queue: Queue | null = null;

  constructor(private readonly redis: RedisInfo) {}

  private connect(): Queue {
    return new Queue(QUEUE_NAME, { connection: { host: '127.0.0.1', port: this.redis.port } });
  }

  async load(events: readonly BenchEvent[], startMs: number): Promise<void> {
    this.queue = this.connect();
    // The Redis instance was started for this run, so the queue starts empty.
    await this.queue.waitUntilReady();
    for (const chunk of chunks(events, CHUNK_SIZE)) {
      await this.queue.addBulk(
        chunk.map((ev) => ({
          name: QUEUE_NAME,
          data: webhookBody(ev),
          // BullMQ stores timestamp + delay as the due instant; a fixed `timestamp` keeps the burst instants identical
          // (with Date.now() they would drift apart by the time the load takes).
          opts: { jobId: ev.bid, timestamp: startMs, delay: ev.dueAt - startMs, removeOnComplete: true },
        })),
      );
    }
  }

  async openReader(): Promise<Reader> {
    const q = this.connect();
    await q.waitUntilReady();
    return {
      page: async (offset) => (await q.getDelayed(offset, offset + PAGE_SIZE - 1)).length,
      count: async () => (await q.getJobCounts('delayed')).delayed ?? NaN,
      close: () => q.close(),
    };
  }

  async stop(): Promise<void> {
    await this.queue?.close();
  }
}

/** Shared by the SQL peers: a page query and a count query on one table, each reader its own connection. */
abstract class SqlPeer implements Peer {
  abstract readonly name: PeerName;
  abstract readonly label: string;
  protected abstract readonly db: string;
  /** $1 is the queue / task key, $2 the offset. */
  protected abstract readonly pageSql: string;
  protected abstract readonly countSql: string;
  protected key: string | number = QUEUE_NAME;

  constructor(protected readonly pg: PgInfo) {}

  get pageCall(): string {
    return this.pageSql.replace(/\s+/g, ' ').trim();
  }

  abstract load(events: readonly BenchEvent[], startMs: number): Promise<void>;

  /**
   * The state autovacuum leaves an insert-only table in a minute or so after a bulk load (statistics, visibility map
   * for index-only scans), so that the numbers do not depend on whether it has run yet.
   */
  protected async vacuumAnalyze(table: string): Promise<void> {
    await this.pg.admin((c) => c.query(`VACUUM (ANALYZE) ${table}`), this.db);
  }

  async openReader(): Promise<Reader> {
    const c = new Client({ connectionString: this.pg.url(this.db) });
    await c.connect();
    return {
      page: async (offset) => (await c.query(this.pageSql, [this.key, offset])).rowCount ?? 0,
      count: async () => Number((await c.query(this.countSql, [this.key])).rows[0].count),
      close: () => c.end(),
    };
  }

  async plan(offset: number): Promise<string> {
    const rows = await this.pg.admin(
      async (c) => (await c.query(`EXPLAIN (ANALYZE, TIMING off) ${this.pageSql}`, [this.key, offset])).rows,
      this.db,
    );
    // "Limit  (cost=…)" / "  ->  Index Scan using … on …  (cost=…)" → "Limit > Index Scan using … on …", plus the sort
    // method where there is one (a top-N heapsort over the whole table is the expensive case).
    const lines = rows.map((r: Record<string, string>) => r['QUERY PLAN'] ?? '');
    const nodes = lines
      .filter((l, i) => i === 0 || /^\s*->/.test(l))
      .map((l) =>
        l
          .replace(/^\s*->\s*/, '')
          .replace(/\s+\(cost=.*$/, '')
          .trim(),
      )
      // pg-boss names each queue's partition j<sha224 of the queue name>.
      .map((l) => l.replace(/\bj[0-9a-f]{56}/g, 'j<sha224>'));
    const sortMethod = lines
      .find((l) => /Sort Method/.test(l))
      ?.trim()
      .replace(/\s+/g, ' ');
    return nodes.join(' > ') + (sortMethod ? ` [${sortMethod}]` : '');
  }

  async stop(): Promise<void> {
    // Readers are closed by `measure`; the loaders close their own pools.
  }
}

class PgbossPeer extends SqlPeer {
  readonly name = 'pgboss';
  readonly label = 'pg-boss 10.4 (PostgreSQL)';
  protected readonly db = 'listing_pgboss';
  protected readonly pageSql = `SELECT * FROM pgboss.job WHERE name = $1 AND state = 'created'
    ORDER BY start_after, id LIMIT ${PAGE_SIZE} OFFSET $2`;
  protected readonly countSql = `SELECT count(*) FROM pgboss.job WHERE name = $1 AND state = 'created'`;

  async load(events: readonly BenchEvent[]): Promise<void> {
    await freshDatabase(this.pg, this.db);
    // A producer only: no maintenance or cron loop that would touch the table while we measure.
    const boss = new PgBoss({ connectionString: this.pg.url(this.db), max: 2, supervise: false, schedule: false });
    boss.on('error', (err) => log(`pg-boss: ${err.message}`));
    await boss.start();
    try {
      await boss.createQueue(QUEUE_NAME);
      for (const chunk of chunks(events, CHUNK_SIZE)) {
        await boss.insert(
          chunk.map((ev) => ({ name: QUEUE_NAME, data: webhookBody(ev), startAfter: new Date(ev.dueAt) })),
        );
      }
    } finally {
      await boss.stop({ graceful: false, wait: true, timeout: 5000 });
    }
    await this.vacuumAnalyze('pgboss.job');
  }
}

const quietGraphile = new Logger(() => (level, message) => {
  if (level === 'error') log(`graphile-worker: ${message}`);
});

class GraphilePeer extends SqlPeer {
  readonly name = 'graphile';
  readonly label = 'Graphile Worker 0.17 (PostgreSQL)';
  protected readonly db = 'listing_graphile';
  // The jobs table proper (`graphile_worker.jobs` is a view joining it to tasks and queues); pending = `is_available`,
  // the predicate of its own indexes.
  protected readonly pageSql = `SELECT * FROM graphile_worker._private_jobs WHERE task_id = $1 AND is_available
    ORDER BY run_at, id LIMIT ${PAGE_SIZE} OFFSET $2`;
  protected readonly countSql = `SELECT count(*) FROM graphile_worker._private_jobs WHERE task_id = $1 AND is_available`;

  async load(events: readonly BenchEvent[]): Promise<void> {
    await freshDatabase(this.pg, this.db);
    const utils: WorkerUtils = await makeWorkerUtils({
      connectionString: this.pg.url(this.db),
      maxPoolSize: 2,
      logger: quietGraphile,
    });
    try {
      await utils.migrate();
      for (const chunk of chunks(events, CHUNK_SIZE)) {
        await utils.addJobs(
          chunk.map((ev) => ({
            identifier: QUEUE_NAME,
            payload: webhookBody(ev),
            runAt: new Date(ev.dueAt),
            maxAttempts: 1,
          })),
        );
      }
    } finally {
      await utils.release();
    }
    this.key = await this.pg.admin(
      async (c) =>
        (await c.query('SELECT id FROM graphile_worker._private_tasks WHERE identifier = $1', [QUEUE_NAME])).rows[0]
          .id as number,
      this.db,
    );
    await this.vacuumAnalyze('graphile_worker._private_jobs');
  }
}

interface PeerResult {
  peer: PeerName;
  label: string;
  pending: number;
  repeats: number;
  pageCall: string;
  loadMs: number;
  loadJobsPerS: number;
  /** Median over repeats of one page of 100, by offset. */
  pageMsByOffset: Record<string, number>;
  countMs: number;
  concurrent: {
    clients: number;
    pagesPerClient: number;
    pages: number;
    p50Ms: number;
    p95Ms: number;
    maxMs: number;
    wallMsMedian: number;
  };
  plan?: Record<string, string>;
}

async function measure(peer: Peer, events: readonly BenchEvent[], startMs: number, opts: Options): Promise<PeerResult> {
  const n = events.length;
  log(`${peer.name}: loading ${n} jobs in chunks of ${CHUNK_SIZE}`);
  const load = await timedMs(() => peer.load(events, startMs));
  log(`${peer.name}: loaded in ${(load.ms / 1000).toFixed(1)} s`);

  const offsets = [0, Math.floor(n / 2), n - PAGE_SIZE];
  const reader = await peer.openReader();
  const pageMs = new Map<number, number[]>(offsets.map((o) => [o, []]));
  const countMs: number[] = [];
  const concurrentMs: number[] = [];
  const wallMs: number[] = [];
  const clients = await Promise.all(Array.from({ length: CONCURRENT_CLIENTS }, () => peer.openReader()));
  try {
    // One untimed read per connection first: BullMQ loads its Lua script on first use and a new PostgreSQL backend
    // fills its catalog caches, one-off costs that a long-lived listing client does not pay per page.
    await Promise.all([reader, ...clients].map((c) => c.page(0)));
    const rnd = prng(7);

    for (let r = 0; r < opts.repeats; r++) {
      for (const offset of offsets) {
        const { ms, value: rows } = await timedMs(() => reader.page(offset));
        if (rows !== PAGE_SIZE)
          throw new Error(`${peer.name}: page at ${offset} returned ${rows} jobs, not ${PAGE_SIZE}`);
        pageMs.get(offset)!.push(ms);
      }
      const { ms, value: count } = await timedMs(() => reader.count());
      if (count !== n) throw new Error(`${peer.name}: count returned ${count}, not ${n}`);
      countMs.push(ms);

      // Offsets are drawn before the clocks start, so the PRNG is not part of any latency.
      const offsetsByClient = clients.map(() =>
        Array.from({ length: PAGES_PER_CLIENT }, () => Math.floor(rnd() * (n - PAGE_SIZE + 1))),
      );
      const wall = await timedMs(() =>
        Promise.all(
          clients.map(async (c, i) => {
            for (const offset of offsetsByClient[i]!) concurrentMs.push((await timedMs(() => c.page(offset))).ms);
          }),
        ),
      );
      wallMs.push(wall.ms);
      log(`${peer.name}: repeat ${r + 1}/${opts.repeats} done`);
    }
  } finally {
    await Promise.all([reader, ...clients].map((c) => c.close()));
  }

  const sorted = [...concurrentMs].sort((a, b) => a - b);
  const result: PeerResult = {
    peer: peer.name,
    label: peer.label,
    pending: n,
    repeats: opts.repeats,
    pageCall: peer.pageCall,
    loadMs: Math.round(load.ms),
    loadJobsPerS: Math.round(n / (load.ms / 1000)),
    pageMsByOffset: Object.fromEntries(offsets.map((o) => [String(o), round2(median(pageMs.get(o)!))])),
    countMs: round2(median(countMs)),
    concurrent: {
      clients: CONCURRENT_CLIENTS,
      pagesPerClient: PAGES_PER_CLIENT,
      pages: sorted.length,
      p50Ms: round2(percentile(sorted, 50)),
      p95Ms: round2(percentile(sorted, 95)),
      maxMs: round2(sorted[sorted.length - 1] ?? NaN),
      wallMsMedian: Math.round(median(wallMs)),
    },
  };
  if (peer.plan) {
    result.plan = {};
    for (const o of offsets) result.plan[String(o)] = await peer.plan(o);
  }
  return result;
}

function markdown(
  results: PeerResult[],
  opts: Options,
  env: { cmd: string; startedAt: string; versions: string[]; loadBefore: number[]; loadAfter: number[] },
): string {
  const n = opts.pending;
  const offsets = [0, Math.floor(n / 2), n - PAGE_SIZE];
  const la = (x: number[]): string => x.map((v) => v.toFixed(2)).join(' / ');
  const lines = [
    `# Listing delayed jobs in the peers, ${n.toLocaleString('en-US')} pending`,
    '',
    `- Started ${env.startedAt}; command: \`${env.cmd}\``,
    `- Host: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}; ${env.versions.join(', ')}`,
    `- Load average (1/5/15 min) before: ${la(env.loadBefore)} (other processes sharing the ${os.cpus().length} cores), after: ${la(env.loadAfter)} (mostly this run's own 20 concurrent clients and their PostgreSQL backends).`,
    `- Jobs due over 60 days (≥ 1 h ahead), 10% of them on 10 shared instants; loaded in chunks of ${CHUNK_SIZE}, one chunk in flight; no workers running.`,
    `- Page = 100 jobs, full job rows/objects returned to the client. Page columns: median of ${opts.repeats} repeat(s), after one untimed read per connection. Concurrent: ${CONCURRENT_CLIENTS} clients (own connection each) × ${PAGES_PER_CLIENT} pages at random offsets, per repeat; p50/p95 over all ${opts.repeats * CONCURRENT_CLIENTS * PAGES_PER_CLIENT} pages.`,
    '- PostgreSQL peers: `VACUUM (ANALYZE)` on the job table after loading (what autovacuum would do shortly after a bulk insert).',
    '',
    `| Peer | Load (s) | Load (jobs/s) | Page @0 (ms) | Page @${offsets[1]} (ms) | Page @${offsets[2]} (ms) | Count (ms) | 20×20 p50 (ms) | 20×20 p95 (ms) |`,
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|',
    ...results.map((r) => {
      const cells = [
        r.label,
        (r.loadMs / 1000).toFixed(1),
        r.loadJobsPerS.toLocaleString('en-US'),
        ...offsets.map((o) => r.pageMsByOffset[String(o)]!.toFixed(1)),
        r.countMs.toFixed(1),
        r.concurrent.p50Ms.toFixed(1),
        r.concurrent.p95Ms.toFixed(1),
      ];
      return `| ${cells.join(' | ')} |`;
    }),
    '',
    'Page reads:',
    '',
    ...results.map((r) => `- ${r.label}: \`${r.pageCall}\``),
  ];
  const planned = results.filter((r) => r.plan);
  if (planned.length) {
    lines.push('', 'Query plans of the page query (`EXPLAIN ANALYZE`, node names only):', '');
    for (const r of planned) for (const [o, p] of Object.entries(r.plan!)) lines.push(`- ${r.label} @${o}: ${p}`);
  }
  return lines.join('\n') + '\n';
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  const startedAt = new Date();
  const loadBefore = os.loadavg();
  // infra.ts made a temp dir of its own unless run.sh handed one over; ours is removed at the end.
  const ownTmp = !process.env.BENCH_TMP;
  const stops: (() => Promise<void>)[] = [];
  let stopping: Promise<void> | null = null;
  const stopAll = (): Promise<void> =>
    (stopping ??= (async () => {
      for (const stop of stops.reverse()) await stop().catch((err: Error) => log(`stop failed: ${err.message}`));
      if (ownTmp) fs.rmSync(benchTmp, { recursive: true, force: true });
    })());
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      log(`${sig}: stopping the servers`);
      void stopAll().finally(() => process.exit(130));
    });
  }

  try {
    const versions: string[] = [];
    let redis: RedisInfo | null = null;
    let pg: PgInfo | null = null;
    if (opts.peers.includes('bullmq')) {
      redis = await startRedis();
      stops.push(() => redis!.stop());
      versions.push(`Redis ${redis.version}`);
      log(`redis ${redis.version} on 127.0.0.1:${redis.port}`);
    }
    if (opts.peers.some((p) => p !== 'bullmq')) {
      pg = await startPostgres();
      stops.push(() => pg!.stop());
      versions.push(`PostgreSQL ${pg.version}`);
      log(`postgres ${pg.version} on 127.0.0.1:${pg.port}`);
    }

    const startMs = Date.now();
    const events = makeEvents(opts.pending, startMs);
    const results: PeerResult[] = [];
    for (const name of opts.peers) {
      const peer: Peer =
        name === 'bullmq' ? new BullmqPeer(redis!) : name === 'pgboss' ? new PgbossPeer(pg!) : new GraphilePeer(pg!);
      try {
        const result = await measure(peer, events, startMs, opts);
        process.stdout.write(`${JSON.stringify(result)}\n`);
        results.push(result);
      } finally {
        await peer.stop();
      }
    }

    // 2026-11-27T222036Z, the stamp the bench's other result files carry.
    const stamp = `${startedAt.toISOString().slice(0, 19).replace(/:/g, '')}Z`;
    const cmd = `node bench/dist/listing-peers.js ${process.argv.slice(2).join(' ')}`.trim();
    const md = markdown(results, opts, {
      cmd,
      startedAt: startedAt.toISOString(),
      versions,
      loadBefore,
      loadAfter: os.loadavg(),
    });
    const file = path.resolve(__dirname, '..', 'results', `listing-peers-${stamp}.md`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, md);
    process.stderr.write(`\n${md}\n`);
    log(`wrote ${path.relative(process.cwd(), file)}`);
  } finally {
    await stopAll();
  }
}

main().catch((err: unknown) => {
  log(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exitCode = 1;
});
