/**
 * "List with N pending" for scheduled-events: page latencies by kind, 20 concurrent listing clients with creates
 * running beside them, and the API's memory while Hasura's unlimited `get_scheduled_events` streams every event.
 *
 *   node bench/dist/listing-ours.js --api http://127.0.0.1:8390 --api-pid <pid> [--repeats 20] [--seconds 20]
 *
 * Runs against an API whose namespace already holds the N events (bench/PERFORMANCE.md, "Listing cost", says how
 * they were made). Only loopback is contacted.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

function arg(name: string, fallback?: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? process.argv[i + 1] : fallback;
  if (value === undefined) throw new Error(`--${name} is required`);
  return value;
}

const API = arg('api');
if (!/^http:\/\/(127\.\d+\.\d+\.\d+|\[::1\]|localhost)(:\d+)?$/.test(API)) throw new Error('--api must be loopback');
const API_PID = Number(arg('api-pid', '0'));
const REPEATS = Number(arg('repeats', '20'));
const SECONDS = Number(arg('seconds', '20'));
const CLIENTS = Number(arg('clients', '20'));

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}
function summary(ms: number[]): { n: number; p50_ms: number; p95_ms: number; max_ms: number } {
  const s = [...ms].sort((a, b) => a - b);
  const r = (x: number) => Math.round(x * 10) / 10;
  return { n: s.length, p50_ms: r(quantile(s, 0.5)), p95_ms: r(quantile(s, 0.95)), max_ms: r(s[s.length - 1] ?? NaN) };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the answers of several routes, read by field
type Json = any;

async function timed(path: string, body?: unknown): Promise<{ ms: number; status: number; json: Json }> {
  const start = performance.now();
  const res = await fetch(API + path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json().catch(() => null);
  return { ms: performance.now() - start, status: res.status, json };
}

const hasura = (args: Record<string, unknown>) => ({
  type: 'get_scheduled_events',
  args: { type: 'one_off', ...args },
});

/**
 * Where the creates beside the listing clients go: one instant past every listed event, the same in every run, so
 * that runs on the same namespace stay comparable (they used to go a year past the last event, which stretched the
 * span by a year each run). The listing kinds leave them out of the span and the offsets.
 */
const CREATE_AT = '2099-01-01T00:00:00.000Z';

/** Events the earlier runs created at CREATE_AT. */
async function createdByRuns(): Promise<number> {
  let n = 0;
  let cursor: string | null = null;
  do {
    const after = new Date(Date.parse(CREATE_AT) - 1).toISOString();
    const r = await timed(`/v1/events?limit=1000&scheduled_after=${after}${cursor ? `&cursor=${cursor}` : ''}`);
    n += (r.json.events as unknown[]).length;
    cursor = r.json.next_cursor as string | null;
  } while (cursor !== null);
  return n;
}

/** The namespace's span of due times, from the first and last events. */
async function span(total: number): Promise<{ first: number; last: number }> {
  const first = await timed('/v1/metadata', hasura({ limit: 1 }));
  const last = await timed('/v1/metadata', hasura({ limit: 1, offset: total - 1 }));
  return {
    first: Date.parse(first.json.events[0].scheduled_time),
    last: Date.parse(last.json.events[0].scheduled_time),
  };
}

type Kind = (total: number, s: { first: number; last: number }) => [string, unknown?];
const KINDS: Record<string, Kind> = {
  'REST first page (limit 100)': () => ['/v1/events?limit=100'],
  'REST status=scheduled first page': () => ['/v1/events?limit=100&status=scheduled'],
  'REST page after a position (scheduled_after)': (_t, s) => [
    `/v1/events?limit=100&scheduled_after=${new Date(s.first + Math.random() * (s.last - s.first)).toISOString()}`,
  ],
  'REST 1-day time window': (_t, s) => {
    const from = s.first + Math.random() * (s.last - s.first - 86_400_000);
    return [
      `/v1/events?limit=100&scheduled_after=${new Date(from).toISOString()}&scheduled_before=${new Date(from + 86_400_000).toISOString()}`,
    ];
  },
  'Hasura offset page + count': (t) => [
    '/v1/metadata',
    hasura({ limit: 100, offset: Math.floor(Math.random() * (t - 100)), get_rows_count: true }),
  ],
  'Hasura status=scheduled offset page': (t) => [
    '/v1/metadata',
    hasura({ status: ['scheduled'], limit: 100, offset: Math.floor(Math.random() * (t - 100)) }),
  ],
};

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function main(): Promise<void> {
  const all = (await timed('/v1/metadata', hasura({ limit: 0, get_rows_count: true }))).json.count as number;
  const total = all - (await createdByRuns());
  const s = await span(total);
  const out: Record<string, unknown> = { events: total };

  // 1. One client: each kind REPEATS times (the first of each is cold: its counts are not cached yet).
  const single: Record<string, unknown> = {};
  for (const [label, kind] of Object.entries(KINDS)) {
    const ms: number[] = [];
    for (let i = 0; i < REPEATS; i++) {
      const [path, body] = kind(total, s);
      const r = await timed(path, body);
      if (r.status !== 200) throw new Error(`${label}: ${r.status} ${JSON.stringify(r.json)}`);
      ms.push(r.ms);
    }
    single[label] = { ...summary(ms), cold_ms: Math.round(ms[0] as number) };
  }
  out.single_client = single;

  // 2. Creates alone, then beside CLIENTS listing clients.
  const createLoop = async (until: number) => {
    const ms: number[] = [];
    while (performance.now() < until) {
      const r = await timed('/v1/events', {
        // Never called: no worker runs, and it is due long after every listed event.
        webhook: 'https://example.com/hook',
        schedule_at: CREATE_AT,
      });
      if (r.status === 201) ms.push(r.ms);
      await new Promise((res) => setTimeout(res, 100));
    }
    return ms;
  };
  out.creates_alone = summary(await createLoop(performance.now() + 10_000));
  const until = performance.now() + SECONDS * 1000;
  const kinds = Object.values(KINDS);
  const pageMs: number[] = [];
  const statuses: Record<number, number> = {};
  const client = async () => {
    while (performance.now() < until) {
      const [path, body] = (kinds[Math.floor(Math.random() * kinds.length)] as Kind)(total, s);
      const r = await timed(path, body);
      statuses[r.status] = (statuses[r.status] ?? 0) + 1;
      if (r.status === 200) pageMs.push(r.ms);
    }
  };
  const [creates] = await Promise.all([createLoop(until), ...Array.from({ length: CLIENTS }, client)]);
  out.concurrent = { clients: CLIENTS, seconds: SECONDS, pages: summary(pageMs), statuses, creates: summary(creates) };

  // 3. Every event in one unlimited answer: time, bytes, and the API's resident memory growth.
  if (API_PID > 0) {
    const before = rssMb(API_PID);
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb(API_PID))), 50);
    const start = performance.now();
    const res = await fetch(API + '/v1/metadata', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(hasura({})),
    });
    let bytes = 0;
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) bytes += chunk.length;
    clearInterval(sampler);
    out.unlimited = {
      status: res.status,
      seconds: Math.round((performance.now() - start) / 100) / 10,
      mb: Math.round(bytes / 1e5) / 10,
      api_rss_before_mb: Math.round(before),
      api_rss_growth_mb: Math.round(peak - before),
    };
  }
  console.log(JSON.stringify(out, null, 2));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
