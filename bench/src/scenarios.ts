/**
 * The six scenarios. Each takes a started system and returns its metrics; lateness is always
 * `first arrival at the receiver − due time`, in ms, on this machine's one wall clock.
 */
import type { BenchEvent, SystemAdapter } from './adapters/types';
import { sleep } from './http';
import type { Options } from './options';
import type { RoleUsage, Sampler } from './procstat';
import type { Receiver } from './receiver-client';
import type { LatenessStats } from './stats';
import { latenessStats, percentile } from './stats';

export interface RunCtx {
  adapter: SystemAdapter;
  opts: Options;
  receiver: Receiver;
  sampler: Sampler;
  /** Short tag that makes bench ids unique per run. */
  tag: string;
  progress(msg: string): void;
}

export interface DeliveryResult {
  kind: 'delivery';
  expected: number;
  delivered: number;
  missing: number;
  /** Arrivals beyond the first per event. */
  duplicates: number;
  /** Arrivals for ids this run did not expect (should be 0). */
  unexpected: number;
  /** Events whose first arrival came more than 1 ms before their due time. */
  early: number;
  /** Share of arrivals whose Idempotency-Key header equals the body's id (Hasura sends none: 0). */
  idempotencyKeyOk: number;
  lateness: LatenessStats;
  /** Burst: last first-arrival − the instant all were due. */
  drainMs: number | null;
  createSeconds: number | null;
  /** Events per second achieved while creating this scenario's events. */
  createRate: number | null;
  createErrors: number;
  /** Events whose create call returned after their due time (the creation could not keep up). */
  createdLate: number;
  /** CPU and memory per process over the delivery window. */
  cpu: Record<string, RoleUsage>;
  /** Sustained: p99 lateness per 10 s window of due time. */
  timeline?: { fromS: number; n: number; p50: number; p99: number }[];
  notes: string[];
}

export interface CreateModeResult {
  count: number;
  errors: number;
  perSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  cpu: Record<string, RoleUsage>;
}

export interface CreateResult {
  kind: 'create';
  c1: CreateModeResult;
  c50: CreateModeResult;
  batch: CreateModeResult | null;
  batchKind: string | null;
  notes: string[];
}

export interface IdleResult {
  kind: 'idle';
  pending: number;
  createRate: number;
  settleSeconds: number;
  /** CPU % of one core and RSS per process while idle with `pending` events waiting. */
  cpu: Record<string, RoleUsage>;
  storageBytesPerEvent: number | null;
  storageWhat: string | null;
  /** Memory (PSS) growth per process from before creation to the end of the idle window, MB and bytes per event. */
  memoryGrowth: Record<string, { mb: number; bytesPerEvent: number }>;
  /** Store operations per second while idle (Redis commands, PG transactions). */
  opsPerSecond: number | null;
  opsWhat: string | null;
  notes: string[];
}

export type ScenarioResult = DeliveryResult | CreateResult | IdleResult;

const HOUR = 3_600_000;

export async function sleepUntil(t: number): Promise<void> {
  const d = t - Date.now();
  if (d > 0) await sleep(d);
}

function makeEvent(ctx: RunCtx, seq: number | string, dueAt: number): BenchEvent {
  const bid = `${ctx.tag}.${seq}`;
  return { bid, dueAt, payload: ctx.opts.payloadPad > 0 ? { bid, pad: 'x'.repeat(ctx.opts.payloadPad) } : { bid } };
}

/** Create events in chunks through the system's batch call, one chunk at a time, with progress. */
async function createChunks(ctx: RunCtx, evs: BenchEvent[], label: string): Promise<number> {
  const size = ctx.opts.create.batchSize;
  const t0 = Date.now();
  let last = t0;
  for (let i = 0; i < evs.length; i += size) {
    await ctx.adapter.scheduleMany(evs.slice(i, i + size));
    if (Date.now() - last > 5000) {
      last = Date.now();
      const done = Math.min(evs.length, i + size);
      ctx.progress(`${label}: created ${done}/${evs.length} (${Math.round(done / ((last - t0) / 1000))}/s)`);
    }
  }
  return (Date.now() - t0) / 1000;
}

/** `createChunks` that records a failure instead of throwing: the seconds it took, and what failed if anything did. */
async function tryCreateChunks(
  ctx: RunCtx,
  evs: BenchEvent[],
  label: string,
): Promise<{ seconds: number; error: string | null }> {
  try {
    return { seconds: await createChunks(ctx, evs, label), error: null };
  } catch (err) {
    return { seconds: 0, error: `${label} creation failed: ${String(err)}` };
  }
}

/** Wait until `expected` distinct events arrived (then linger for duplicates) or `until` passes. */
async function waitDeliveries(ctx: RunCtx, expected: number, until: number, since: number): Promise<void> {
  let lastPrint = Date.now();
  while (Date.now() < until) {
    const c = await ctx.receiver.count();
    if (c.unique >= expected) {
      await sleep(1500);
      return;
    }
    if (Date.now() - lastPrint >= 5000) {
      lastPrint = Date.now();
      ctx.progress(
        `delivered ${c.unique}/${expected} (t${Date.now() >= since ? '+' : '−'}${(Math.abs(Date.now() - since) / 1000).toFixed(1)} s)`,
      );
    }
    await sleep(250);
  }
  const c = await ctx.receiver.count();
  ctx.progress(`gave up waiting: ${c.unique}/${expected} delivered`);
}

/** Compare what arrived with what was due. Returns the metrics and the lateness samples (for charts). */
async function analyze(
  ctx: RunCtx,
  due: Map<string, number>,
  base: Partial<DeliveryResult>,
): Promise<{ result: DeliveryResult; samples: number[] }> {
  const { rows } = await ctx.receiver.dump();
  const first = new Map<string, number>();
  let unexpected = 0;
  let dup = 0;
  let idemOk = 0;
  for (const [bid, t, ok] of rows) {
    idemOk += ok;
    if (!due.has(bid)) {
      unexpected++;
      continue;
    }
    const prev = first.get(bid);
    if (prev === undefined) first.set(bid, t);
    else {
      dup++;
      if (t < prev) first.set(bid, t);
    }
  }
  const samples: number[] = [];
  let early = 0;
  const byDue: [number, number][] = [];
  for (const [bid, t] of first) {
    const d = due.get(bid)!;
    const late = t - d;
    if (late < -1) early++;
    samples.push(late);
    byDue.push([d, late]);
  }
  const result: DeliveryResult = {
    kind: 'delivery',
    expected: due.size,
    delivered: first.size,
    missing: due.size - first.size,
    duplicates: dup,
    unexpected,
    early,
    idempotencyKeyOk: rows.length ? Math.round((idemOk / rows.length) * 1000) / 1000 : 0,
    lateness: latenessStats(samples),
    drainMs: null,
    createSeconds: null,
    createRate: null,
    createErrors: 0,
    createdLate: 0,
    cpu: {},
    notes: [],
    ...base,
  };
  if (base.timeline !== undefined && byDue.length) {
    const t0 = Math.min(...byDue.map(([d]) => d));
    const windows = new Map<number, number[]>();
    for (const [d, late] of byDue) {
      const w = Math.floor((d - t0) / 10_000);
      const list = windows.get(w);
      if (list) list.push(late);
      else windows.set(w, [late]);
    }
    result.timeline = [...windows.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([w, l]) => {
        l.sort((a, b) => a - b);
        return { fromS: w * 10, n: l.length, p50: Math.round(percentile(l, 50)), p99: Math.round(percentile(l, 99)) };
      });
  }
  return { result, samples };
}

/** Events created one at a time: `count`, one every `intervalMs`, each `leadMs` before it is due. */
interface SpacedEvents {
  count: number;
  intervalMs: number;
  leadMs: number;
  /** How long after the last is due to wait for deliveries. */
  graceS: number;
}

/**
 * Creates spaced events, waits for their deliveries and measures them. `before` carries what the scenario did first
 * (its notes and failed creations are added to, its other fields kept).
 */
async function runSpaced(
  ctx: RunCtx,
  { count, intervalMs, leadMs, graceS }: SpacedEvents,
  before: Partial<DeliveryResult> = {},
): Promise<{ result: DeliveryResult; samples: number[] }> {
  const due = new Map<string, number>();
  const start = Date.now() + 200;
  const s0 = ctx.sampler.mark();
  const pending: Promise<void>[] = [];
  const notes = [...(before.notes ?? [])];
  let createErrors = before.createErrors ?? 0;
  let createdLate = 0;
  for (let i = 0; i < count; i++) {
    await sleepUntil(start + i * intervalMs);
    const ev = makeEvent(ctx, i, Date.now() + leadMs);
    due.set(ev.bid, ev.dueAt);
    pending.push(
      ctx.adapter.schedule(ev).then(
        () => {
          if (Date.now() > ev.dueAt) createdLate++;
        },
        (err: unknown) => {
          if (createErrors++ === 0) notes.push(`create failed: ${String(err)}`);
        },
      ),
    );
    if ((i + 1) % 20 === 0) ctx.progress(`created ${i + 1}/${count}`);
  }
  await Promise.all(pending);
  const lastDue = Math.max(...due.values());
  await waitDeliveries(ctx, count, lastDue + graceS * 1000, lastDue);
  const cpu = ctx.sampler.usageSince(s0);
  return analyze(ctx, due, { ...before, cpu, createErrors, createdLate, notes });
}

/** (a) Single events at a low rate, each created `leadMs` before it is due. */
export async function runSingle(ctx: RunCtx): Promise<{ result: DeliveryResult; samples: number[] }> {
  return runSpaced(ctx, ctx.opts.single);
}

/** (b) N events all due at one instant T0, created (in batches) before T0. */
export async function runBurst(ctx: RunCtx, n: number): Promise<{ result: DeliveryResult; samples: number[] }> {
  const { minLeadMs, maxLeadMs, drainTimeoutS } = ctx.opts.burst;
  const notes: string[] = [];
  // Probe the creation rate with far-future events, so T0 leaves time to create all N first.
  const probeN = Math.min(200, Math.max(20, Math.floor(n / 10)));
  const far = Date.now() + 6 * HOUR;
  const probe = Array.from({ length: probeN }, (_, i) => makeEvent(ctx, `probe${i}`, far));
  const probeS = await createChunks(ctx, probe, 'probe');
  const rate = probeN / Math.max(0.001, probeS);
  const leadMs = Math.round(Math.min(maxLeadMs, Math.max(minLeadMs, (n / rate) * 1000 * 1.5 + minLeadMs)));
  const t0 = Date.now() + leadMs;
  ctx.progress(`probe ${Math.round(rate)}/s → all ${n} due at T0 = now + ${(leadMs / 1000).toFixed(1)} s`);
  const evs = Array.from({ length: n }, (_, i) => makeEvent(ctx, i, t0));
  const due = new Map(evs.map((e) => [e.bid, e.dueAt]));
  const { seconds: createSeconds, error } = await tryCreateChunks(ctx, evs, 'burst');
  const createErrors = error === null ? 0 : 1;
  if (error !== null) notes.push(error);
  const createdLate = Date.now() > t0 ? n : 0;
  if (createdLate) notes.push(`creation ended ${((Date.now() - t0) / 1000).toFixed(1)} s after T0`);
  await sleepUntil(t0);
  const s0 = ctx.sampler.mark();
  await waitDeliveries(ctx, n, t0 + drainTimeoutS * 1000, t0);
  const cpu = ctx.sampler.usageSince(s0);
  const out = await analyze(ctx, due, {
    cpu,
    createErrors,
    createdLate,
    createSeconds: Math.round(createSeconds * 100) / 100,
    createRate: createSeconds ? Math.round(n / createSeconds) : null,
    notes,
  });
  out.result.drainMs = out.samples.length ? Math.round(Math.max(...out.samples)) : null;
  // Undelivered events are not in the samples: the drain did not finish.
  if (out.result.missing > 0) out.result.drainMs = null;
  return out;
}

/**
 * (c) A steady due-rate for a duration; events are created `leadMs` ahead, in 100 ms ticks, while others fire.
 * With `beside`, that many more events (due in 1 h, not measured) are created at full speed from `afterS` into it.
 */
export async function runSustained(
  ctx: RunCtx,
  rate: number,
  shape: { durationS: number; leadMs: number; drainTimeoutS: number } = ctx.opts.sustained,
  beside?: { count: number; afterS: number },
): Promise<{ result: DeliveryResult; samples: number[] }> {
  const { durationS, leadMs, drainTimeoutS } = shape;
  const total = Math.round(rate * durationS);
  const tickMs = 100;
  const firstDue = Date.now() + leadMs + 500;
  const dueOf = (k: number): number => firstDue + Math.floor((k * 1000) / rate);
  const due = new Map<string, number>();
  const inflight = new Set<Promise<void>>();
  const notes: string[] = [];
  let createErrors = 0;
  let createdLate = 0;
  let k = 0;
  const s0 = ctx.sampler.mark();
  let lastPrint = Date.now();
  let extra: Promise<void> = Promise.resolve();
  let extraStarted = false;
  for (let tick = 0; k < total; tick++) {
    if (beside !== undefined && !extraStarted && Date.now() >= firstDue - leadMs + beside.afterS * 1000) {
      extraStarted = true;
      extra = createAtFullSpeed(ctx, beside.count).then(({ seconds, errors }) => {
        notes.push(`${beside.count} more created beside it in ${seconds.toFixed(1)} s, ${errors} failed`);
        if (errors > 0) createErrors += errors;
      });
    }
    const tickStart = firstDue - leadMs + tick * tickMs;
    await sleepUntil(tickStart);
    const batch: BenchEvent[] = [];
    while (k < total && dueOf(k) < tickStart + leadMs + tickMs) {
      const ev = makeEvent(ctx, k, dueOf(k));
      due.set(ev.bid, ev.dueAt);
      batch.push(ev);
      k++;
    }
    if (!batch.length) continue;
    // Bounded in-flight creation: if the system cannot keep up, the feeder waits and events are created late.
    while (inflight.size >= 20) await Promise.race(inflight);
    const p: Promise<void> = ctx.adapter.scheduleMany(batch).then(
      () => {
        const now = Date.now();
        for (const ev of batch) if (now > ev.dueAt) createdLate++;
      },
      (err: unknown) => {
        if (createErrors++ === 0) notes.push(`create failed: ${String(err)}`);
      },
    );
    const tracked = p.finally(() => inflight.delete(tracked));
    inflight.add(tracked);
    if (Date.now() - lastPrint >= 5000) {
      lastPrint = Date.now();
      const c = await ctx.receiver.count();
      ctx.progress(`fed ${k}/${total}, delivered ${c.unique}`);
    }
  }
  await Promise.all(inflight);
  await extra;
  const lastDue = dueOf(total - 1);
  await waitDeliveries(ctx, total, lastDue + drainTimeoutS * 1000, lastDue);
  const cpu = ctx.sampler.usageSince(s0);
  if (createdLate) notes.push(`${createdLate} events were created after their due time`);
  return analyze(ctx, due, { cpu, createErrors, createdLate, timeline: [], notes });
}

/** `count` events due in 1 h, created one per call, `create.concurrency` calls at a time, as fast as they are taken. */
async function createAtFullSpeed(ctx: RunCtx, count: number): Promise<{ seconds: number; errors: number }> {
  const due = Date.now() + HOUR;
  const t0 = Date.now();
  let next = 0;
  let errors = 0;
  await Promise.all(
    Array.from({ length: ctx.opts.create.concurrency }, async () => {
      for (let i = next++; i < count; i = next++) {
        await ctx.adapter.schedule(makeEvent(ctx, `extra${i}`, due)).catch(() => errors++);
      }
    }),
  );
  return { seconds: (Date.now() - t0) / 1000, errors };
}

/** (g) The 50/s stream of (c), with a creation burst beside it: does creating many events hold back those due now? */
export async function runStream(ctx: RunCtx): Promise<{ result: DeliveryResult; samples: number[] }> {
  const { rate, extra, extraAfterS, ...shape } = ctx.opts.stream;
  return runSustained(ctx, rate, shape, { count: extra, afterS: extraAfterS });
}

/** (d) Creation throughput: single calls at concurrency 1 and 50, then the batch call where there is one. */
export async function runCreate(ctx: RunCtx): Promise<CreateResult> {
  const { durationS, maxCount, concurrency, batchSize } = ctx.opts.create;
  const far = Date.now() + 6 * HOUR;
  let seq = 0;
  const notes: string[] = [];
  const mode = async (lanes: number, perCall: number, label: string): Promise<CreateModeResult> => {
    const s0 = ctx.sampler.mark();
    const t0 = Date.now();
    const deadline = t0 + durationS * 1000;
    const lat: number[] = [];
    let count = 0;
    let issued = 0;
    let errors = 0;
    let end = t0;
    const lane = async (): Promise<void> => {
      while (Date.now() < deadline && issued < maxCount && errors < 20) {
        const evs = Array.from({ length: perCall }, () => makeEvent(ctx, `c${seq++}`, far));
        issued += perCall;
        const t = Date.now();
        try {
          if (perCall === 1) await ctx.adapter.schedule(evs[0]!);
          else await ctx.adapter.scheduleMany(evs);
          count += perCall;
          lat.push(Date.now() - t);
        } catch (err) {
          if (errors++ === 0) notes.push(`${label}: ${String(err)}`);
        }
        end = Date.now();
      }
    };
    await Promise.all(Array.from({ length: lanes }, lane));
    lat.sort((a, b) => a - b);
    const r: CreateModeResult = {
      count,
      errors,
      perSecond: Math.round(count / Math.max(0.001, (end - t0) / 1000)),
      latencyP50Ms: Math.round(percentile(lat, 50) * 10) / 10,
      latencyP99Ms: Math.round(percentile(lat, 99) * 10) / 10,
      cpu: ctx.sampler.usageSince(s0),
    };
    ctx.progress(
      `${label}: ${r.perSecond}/s (${count} in ${((end - t0) / 1000).toFixed(1)} s, p99 ${r.latencyP99Ms} ms)`,
    );
    return r;
  };
  const c1 = await mode(1, 1, 'concurrency 1');
  const c50 = await mode(concurrency, 1, `concurrency ${concurrency}`);
  let batch: CreateModeResult | null = null;
  if (ctx.adapter.batchKind) {
    batch = await mode(1, batchSize, `batch of ${batchSize}`);
    if (!ctx.adapter.batchKind) {
      notes.push('no batch endpoint: the batch mode ran concurrent single creates and is not reported');
      batch = null;
    }
  }
  return { kind: 'create', c1, c50, batch, batchKind: ctx.adapter.batchKind, notes };
}

/** (e) Idle cost with N events pending far in the future: CPU, memory, storage per pending event, store activity. */
export async function runIdle(ctx: RunCtx): Promise<IdleResult> {
  const { pending, createTimeoutS, settleMaxS, idleS } = ctx.opts.idle;
  const notes: string[] = [];
  await sleep(3000);
  const rss0 = ctx.sampler.mark();
  const st0 = await ctx.adapter.storage();
  const far = Date.now() + 6 * HOUR;
  const size = ctx.opts.create.batchSize;
  const t0 = Date.now();
  let created = 0;
  let lastPrint = t0;
  for (let i = 0; i < pending; i += size) {
    if (Date.now() - t0 > createTimeoutS * 1000) {
      notes.push(`creation stopped at the ${createTimeoutS} s bound: ${created} of ${pending} pending`);
      break;
    }
    const evs = Array.from({ length: Math.min(size, pending - i) }, (_, j) => makeEvent(ctx, i + j, far));
    await ctx.adapter.scheduleMany(evs);
    created += evs.length;
    if (Date.now() - lastPrint >= 5000) {
      lastPrint = Date.now();
      ctx.progress(`created ${created}/${pending} (${Math.round(created / ((lastPrint - t0) / 1000))}/s)`);
    }
  }
  const createRate = Math.round(created / Math.max(0.001, (Date.now() - t0) / 1000));
  // Settle: wait until the system's own processes are quiet (background work after creation, e.g. workflow starts).
  const ts = Date.now();
  let quiet = 0;
  while (Date.now() - ts < settleMaxS * 1000 && quiet < 2) {
    const m = ctx.sampler.mark();
    await sleep(2000);
    const u = ctx.sampler.usageSince(m);
    const busy = Object.entries(u)
      .filter(([role]) => role !== 'receiver' && role !== 'loadgen' && role !== 'other')
      .reduce((a, [, v]) => a + v.cpuPct, 0);
    quiet = busy < 10 ? quiet + 1 : 0;
  }
  const settleSeconds = Math.round((Date.now() - ts) / 1000);
  if (quiet < 2) notes.push(`still busy after the ${settleMaxS} s settle bound`);
  ctx.progress(`settled after ${settleSeconds} s; measuring ${idleS} s idle`);
  const c0 = ctx.adapter.counters ? await ctx.adapter.counters() : null;
  const m = ctx.sampler.mark();
  await sleep(idleS * 1000);
  const cpu = ctx.sampler.usageSince(m);
  const c1 = ctx.adapter.counters ? await ctx.adapter.counters() : null;
  const st1 = await ctx.adapter.storage();
  const memoryGrowth: Record<string, { mb: number; bytesPerEvent: number }> = {};
  for (const [role, u] of Object.entries(cpu)) {
    const before = rss0.roles[role]?.pssBytes ?? 0;
    if (role !== 'receiver' && role !== 'loadgen' && role !== 'other' && created) {
      const grown = u.pssEndMB * 2 ** 20 - before;
      memoryGrowth[role] = { mb: Math.round(grown / 2 ** 20), bytesPerEvent: Math.round(grown / created) };
    }
  }
  return {
    kind: 'idle',
    pending: created,
    createRate,
    settleSeconds,
    cpu,
    storageBytesPerEvent: st0 && st1 && created ? Math.round((st1.bytes - st0.bytes) / created) : null,
    storageWhat: st1?.what ?? null,
    memoryGrowth,
    opsPerSecond: c0 && c1 ? Math.round(((c1.ops - c0.ops) / idleS) * 10) / 10 : null,
    opsWhat: c1?.what ?? null,
    notes,
  };
}

/**
 * (f) Events due soon, created right after a surge of events due later: does the surge hold them back? `backlog`
 * events due in 6 h are created in batches; then `count` events, one every `intervalMs`, each due `leadMs` after its
 * creation. Only the latter are delivered in the run; their lateness is the result.
 */
export async function runSurge(ctx: RunCtx): Promise<{ result: DeliveryResult; samples: number[] }> {
  const { backlog, ...soon } = ctx.opts.surge;
  const far = Date.now() + 6 * HOUR;
  const surge = Array.from({ length: backlog }, (_, i) => makeEvent(ctx, `surge${i}`, far));
  const { seconds, error } = await tryCreateChunks(ctx, surge, 'surge');
  return runSpaced(ctx, soon, {
    notes: error === null ? [] : [error],
    createErrors: error === null ? 0 : 1,
    createSeconds: Math.round(seconds * 100) / 100,
    createRate: seconds ? Math.round(backlog / seconds) : null,
  });
}
