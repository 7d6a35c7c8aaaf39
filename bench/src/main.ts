/**
 * The harness: starts the shared receiver and the private Redis/PostgreSQL a selection needs, runs every chosen
 * scenario against every chosen system (systems interleaved within each repeat), and writes
 * results/<timestamp>.json, .md and one chart per scenario variant. Started by run.sh.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SYSTEMS } from './adapters';
import { OursAdapter } from './adapters/ours';
import type { SystemAdapter } from './adapters/types';
import type { CdfSeries } from './chart';
import { barsSvg, cdfSvg, writeChart } from './chart';
import { sleep } from './http';
import type { PgInfo, RedisInfo } from './infra';
import { benchTmp, startPostgres, startRedis } from './infra';
import type { Options, ScenarioName } from './options';
import { parseOptions } from './options';
import { Sampler } from './procstat';
import { Receiver } from './receiver-client';
import type { Report, RunRecord, VariantReport } from './report';
import { BUSY_PCT, markdown, variantTable } from './report';
import type { CreateResult, IdleResult, RunCtx, ScenarioResult } from './scenarios';
import { runBurst, runCreate, runIdle, runSingle, runStream, runSurge, runSustained } from './scenarios';
import { medianOf } from './stats';

const BENCH_DIR = path.resolve(__dirname, '..');
const REPO_ROOT = path.resolve(BENCH_DIR, '..');
const sessionStart = Date.now();

function log(msg: string): void {
  const t = new Date().toISOString().slice(11, 19);
  const el = Math.round((Date.now() - sessionStart) / 1000);
  console.log(`[${t} +${Math.floor(el / 60)}m${String(el % 60).padStart(2, '0')}s] ${msg}`);
}

interface Variant {
  id: string;
  scenario: ScenarioName;
  title: string;
  description: string;
  params: Record<string, unknown>;
  /** Upper bound of one run, ms (start and stop of the system excluded). */
  boundMs: number;
  run(ctx: RunCtx): Promise<{ result: ScenarioResult; samples?: number[] }>;
}

function variants(o: Options): Variant[] {
  const out: Variant[] = [];
  for (const s of o.scenarios) {
    if (s === 'single') {
      const p = o.single;
      out.push({
        id: 'single',
        scenario: s,
        title: `(a) Single events at a low rate`,
        description:
          `${p.count} events, one every ${p.intervalMs} ms, each created ${p.leadMs / 1000} s before it is due. ` +
          'Lateness of each delivery; the floor shows what one Node process and the receiver cost.',
        params: { ...p },
        boundMs: p.count * p.intervalMs + p.leadMs + p.graceS * 1000 + 120_000,
        run: runSingle,
      });
    }
    if (s === 'burst') {
      for (const n of o.burst.sizes) {
        out.push({
          id: `burst-${n}`,
          scenario: s,
          title: `(b) Burst: ${n.toLocaleString('en-US')} events due at one instant`,
          description:
            `${n} events created in batches of ${o.create.batchSize} ahead of one instant T0 (the lead is sized from a ` +
            'probe of the creation rate). Lateness per event, drain = last arrival − T0, missing and duplicate deliveries.',
          params: { n, ...o.burst },
          boundMs: o.burst.maxLeadMs * 2 + o.burst.drainTimeoutS * 1000 + 300_000,
          run: (ctx) => runBurst(ctx, n),
        });
      }
    }
    if (s === 'sustained') {
      for (const rate of o.sustained.rates) {
        out.push({
          id: `sustained-${rate}`,
          scenario: s,
          title: `(c) Sustained: ${rate} events/s due for ${o.sustained.durationS} s`,
          description:
            `Events due at an even ${rate}/s for ${o.sustained.durationS} s, each created ${o.sustained.leadMs / 1000} s ` +
            'before it is due (in 100 ms batches), so creation and delivery load overlap as in steady state. CPU per process ' +
            'over the whole window.',
          params: { rate, ...o.sustained },
          boundMs: (o.sustained.durationS + o.sustained.drainTimeoutS) * 1000 + o.sustained.leadMs + 300_000,
          run: (ctx) => runSustained(ctx, rate),
        });
      }
    }
    if (s === 'create') {
      out.push({
        id: 'create',
        scenario: s,
        title: '(d) Creation throughput',
        description:
          `Events due in 6 h created for ${o.create.durationS} s per mode (at most ${o.create.maxCount}): one call at a ` +
          `time, ${o.create.concurrency} concurrent calls, and batches of ${o.create.batchSize} through the system's batch ` +
          'call where it has one. p99 is per call.',
        params: { ...o.create },
        boundMs: 3 * o.create.durationS * 1000 + 300_000,
        run: async (ctx) => ({ result: await runCreate(ctx) }),
      });
    }
    if (s === 'idle') {
      out.push({
        id: `idle-${o.idle.pending}`,
        scenario: s,
        title: `(e) Idle cost with ${o.idle.pending.toLocaleString('en-US')} pending events`,
        description:
          `${o.idle.pending} events due in 6 h, created in batches; after the system settles, CPU and memory of each ` +
          `process over ${o.idle.idleS} s idle, store growth per pending event, store operations per second.`,
        params: { ...o.idle },
        boundMs: (o.idle.createTimeoutS + o.idle.settleMaxS + o.idle.idleS) * 1000 + 300_000,
        run: async (ctx) => ({ result: await runIdle(ctx) }),
      });
    }
    if (s === 'stream') {
      const p = o.stream;
      out.push({
        id: `stream-${p.rate}-${p.extra}`,
        scenario: s,
        title: `(g) A ${p.rate}/s stream while ${p.extra.toLocaleString('en-US')} more are created beside it`,
        description:
          `Events due at ${p.rate}/s for ${p.durationS} s, each created ${p.leadMs / 1000} s ahead (as in (c)); ` +
          `${p.extraAfterS} s in, ${p.extra} more events due in 1 h are created one per call, ` +
          `${o.create.concurrency} calls at a time, as fast as the system takes them. Lateness of the stream.`,
        params: { ...p },
        boundMs: (p.durationS + p.drainTimeoutS) * 1000 + p.leadMs + 300_000,
        run: runStream,
      });
    }
    if (s === 'surge') {
      const p = o.surge;
      out.push({
        id: `surge-${p.backlog}`,
        scenario: s,
        title: `(f) Due soon, right after ${p.backlog.toLocaleString('en-US')} created for later`,
        description:
          `${p.backlog} events due in 6 h created in batches of ${o.create.batchSize}, then ${p.count} events, one every ` +
          `${p.intervalMs} ms, each due ${p.leadMs / 1000} s after its creation. Lateness of those ${p.count}: whether work ` +
          'queued for events due later holds back one due soon.',
        params: { ...p },
        boundMs: p.backlog * 50 + p.count * p.intervalMs + p.leadMs + p.graceS * 1000 + 300_000,
        run: runSurge,
      });
    }
  }
  return out;
}

function versionOf(pkg: string): string {
  try {
    return JSON.parse(fs.readFileSync(path.join(BENCH_DIR, 'node_modules', pkg, 'package.json'), 'utf8')).version;
  } catch {
    return 'unknown';
  }
}

function gitCommit(): string {
  try {
    return execFileSync('git', ['-C', REPO_ROOT, 'rev-parse', '--short', 'HEAD'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .toString()
      .trim();
  } catch {
    return 'none';
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} exceeded its ${Math.round(ms / 1000)} s bound`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

async function main(): Promise<void> {
  const stamp = new Date().toISOString().replace(/[:]/g, '').replace(/\..+/, 'Z');
  const o = parseOptions(process.argv.slice(2), path.join(BENCH_DIR, 'results'));
  fs.mkdirSync(o.outDir, { recursive: true });
  const deadline = sessionStart + o.maxMinutes * 60_000;
  const vs = variants(o);
  log(`scenarios: ${vs.map((v) => v.id).join(', ')}; systems: ${o.systems.join(', ')}; repeats: ${o.repeats}`);

  // Which systems can run at all.
  const skipped: Record<string, string> = {};
  const probe: Record<string, SystemAdapter> = Object.fromEntries(o.systems.map((s) => [s, SYSTEMS[s]!()]));
  const oursMissing = o.systems.includes('ours') ? OursAdapter.missing(REPO_ROOT) : null;
  if (oursMissing) skipped.ours = `our service is not runnable yet (${oursMissing})`;

  const needs = new Set(o.systems.filter((s) => !skipped[s]).flatMap((s) => probe[s]!.needs));
  let redis: RedisInfo | undefined;
  let pg: PgInfo | undefined;
  const receiver = new Receiver();
  const cleanup = async (): Promise<void> => {
    await receiver.stop().catch(() => undefined);
    await redis?.stop().catch(() => undefined);
    await pg?.stop().catch(() => undefined);
    // Keep in the pid file only what is somehow still alive, for run.sh's trap; the rest is gone, not to be signalled.
    const pidFile = path.join(benchTmp, 'pids');
    if (fs.existsSync(pidFile)) {
      const alive = fs
        .readFileSync(pidFile, 'utf8')
        .split('\n')
        .filter((p) => p && isAlive(Number(p)));
      fs.writeFileSync(pidFile, alive.map((p) => `${p}\n`).join(''));
    }
  };
  let interrupted = false;
  const onSignal = (): void => {
    if (interrupted) process.exit(130);
    interrupted = true;
    log('interrupted: finishing the current run, then writing what was measured');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    await receiver.start();
    log(`receiver on 127.0.0.1:${receiver.port} (pid ${receiver.pid}); temp dir ${benchTmp}`);
    if (needs.has('redis')) {
      try {
        redis = await startRedis();
        log(`redis ${redis.version} on 127.0.0.1:${redis.port} (pid ${redis.pid})`);
      } catch (err) {
        for (const s of o.systems) if (probe[s]!.needs.includes('redis')) skipped[s] = `redis: ${String(err)}`;
      }
    }
    if (needs.has('postgres')) {
      try {
        pg = await startPostgres();
        log(`postgres ${pg.version} on 127.0.0.1:${pg.port} (pid ${pg.pid})`);
      } catch (err) {
        for (const s of o.systems) if (probe[s]!.needs.includes('postgres')) skipped[s] = `postgres: ${String(err)}`;
      }
    }
    for (const [s, why] of Object.entries(skipped)) log(`${s}: skipped — ${why}`);

    const reports: VariantReport[] = vs.map((v) => ({
      id: v.id,
      scenario: v.scenario,
      title: v.title,
      description: v.description,
      params: v.params,
      chart: null,
      systems: Object.fromEntries(
        o.systems.map((s) => [
          s,
          {
            label: probe[s]!.label,
            runs: [] as RunRecord[],
            median: null,
            ...(skipped[s] ? { skipped: skipped[s] } : {}),
          },
        ]),
      ),
    }));
    const pooled = new Map<string, Map<string, { samples: number[]; expected: number }>>();
    const configs: Record<string, Record<string, unknown>> = {};
    let runIndex = 0;

    for (const [vi, v] of vs.entries()) {
      for (let r = 1; r <= o.repeats; r++) {
        for (const sys of o.systems) {
          if (skipped[sys]) continue;
          const cell = reports[vi]!.systems[sys]!;
          const prefix = `${v.id} r${r}/${o.repeats} ${sys}`;
          if (interrupted || Date.now() > deadline) {
            cell.runs.push({
              repeat: r,
              ok: false,
              error: interrupted ? 'interrupted' : `session bound of ${o.maxMinutes} min reached`,
              seconds: 0,
            });
            continue;
          }
          runIndex++;
          const adapter = SYSTEMS[sys]!();
          const tag = `r${runIndex}`;
          const runTag = `${v.id}_${sys}_${r}`.replace(/[^a-z0-9]+/gi, '_').toLowerCase();
          const sampler = new Sampler(() => [
            ...adapter.roles(),
            { role: 'receiver', pid: receiver.pid },
            { role: 'loadgen', pid: process.pid, self: true },
          ]);
          const t0 = Date.now();
          const rec: RunRecord = { repeat: r, ok: false, seconds: 0 };
          try {
            log(`${prefix}: starting`);
            await receiver.reset();
            await withTimeout(
              adapter.start({
                redis,
                pg,
                webhookUrl: receiver.url(sys),
                runTag,
                tmp: benchTmp,
                repoRoot: REPO_ROOT,
                log: (m) => log(`${prefix}: ${m}`),
              }),
              15 * 60_000,
              'start',
            );
            configs[sys] = adapter.config();
            const whole = sampler.start();
            const ctx: RunCtx = {
              adapter,
              opts: o,
              receiver,
              sampler,
              tag,
              progress: (m) => log(`${prefix}: ${m}`),
            };
            const out = await withTimeout(v.run(ctx), v.boundMs, v.id);
            rec.ok = true;
            rec.result = out.result;
            // Other programs on the machine take CPU from the system under test: say so next to the numbers.
            const other = sampler.usageSince(whole).other;
            if (other) {
              rec.otherCpuPct = other.cpuPct;
              if (other.cpuPct > BUSY_PCT) {
                log(`${prefix}: warning: other processes used ${other.cpuPct}% of a core during this run`);
              }
            }
            if (out.samples && out.result.kind === 'delivery') {
              const bySys = pooled.get(v.id) ?? new Map<string, { samples: number[]; expected: number }>();
              pooled.set(v.id, bySys);
              const entry = bySys.get(sys) ?? { samples: [], expected: 0 };
              // push in a loop: spreading 10^5 samples into push() overflows the stack
              for (const x of out.samples) entry.samples.push(x);
              entry.expected += out.result.expected;
              bySys.set(sys, entry);
            }
            log(`${prefix}: ${summary(out.result)}`);
          } catch (err) {
            rec.error = err instanceof Error ? err.message : String(err);
            log(`${prefix}: FAILED ${rec.error}`);
          } finally {
            sampler.stop();
            await adapter.stop().catch((err: unknown) => log(`${prefix}: stop failed: ${String(err)}`));
            rec.seconds = Math.round((Date.now() - t0) / 1000);
            cell.runs.push(rec);
          }
          await sleep(500);
        }
      }
      // Aggregate and draw this variant as soon as it is done.
      const vr = reports[vi]!;
      for (const cell of Object.values(vr.systems)) {
        const ok = cell.runs.filter((x) => x.ok && x.result).map((x) => x.result!);
        cell.median = ok.length ? medianOf(ok) : null;
      }
      vr.chart = drawChart(v, vr, pooled.get(v.id), o, stamp);
      console.log(`\n${v.title}\n${variantTable(vr)}\n`);
    }

    const report: Report = {
      startedAt: new Date(sessionStart).toISOString(),
      finishedAt: new Date().toISOString(),
      durationS: Math.round((Date.now() - sessionStart) / 1000),
      command: `bench/run.sh ${process.argv.slice(2).join(' ')}`.trim(),
      quick: o.quick,
      repeats: o.repeats,
      machine: {
        cpuModel: os.cpus()[0]?.model ?? 'unknown',
        cores: os.cpus().length,
        memGiB: Math.round(os.totalmem() / 2 ** 30),
        os: `${os.type()} ${os.release()}`,
        node: process.version,
        commit: gitCommit(),
      },
      versions: {
        redis: redis?.version ?? 'not run',
        postgresql: pg?.version ?? 'not run',
        bullmq: versionOf('bullmq'),
        'pg-boss': versionOf('pg-boss'),
        'graphile-worker': versionOf('graphile-worker'),
      },
      systems: Object.fromEntries(
        o.systems.map((s) => [
          s,
          {
            label: probe[s]!.label,
            config: configs[s] ?? probe[s]!.config(),
            ...(skipped[s] ? { skipped: skipped[s] } : {}),
          },
        ]),
      ),
      variants: reports,
    };
    const jsonPath = path.join(o.outDir, `${stamp}.json`);
    const mdPath = path.join(o.outDir, `${stamp}.md`);
    fs.writeFileSync(jsonPath, JSON.stringify(report, null, 2));
    fs.writeFileSync(mdPath, markdown(report));
    log(`wrote ${path.relative(process.cwd(), jsonPath)}, ${path.relative(process.cwd(), mdPath)} and the charts`);
  } finally {
    await cleanup();
  }
}

function summary(r: ScenarioResult): string {
  if (r.kind === 'delivery') {
    const l = r.lateness;
    return (
      `delivered ${r.delivered}/${r.expected}, missing ${r.missing}, dup ${r.duplicates}, ` +
      `lateness p50 ${l.p50} ms p99 ${l.p99} ms max ${l.max} ms` +
      (r.drainMs !== null ? `, drain ${r.drainMs} ms` : '')
    );
  }
  if (r.kind === 'create') {
    const c = r as CreateResult;
    return `create c1 ${c.c1.perSecond}/s, c50 ${c.c50.perSecond}/s, batch ${c.batch ? `${c.batch.perSecond}/s` : 'n/a'}`;
  }
  const i = r as IdleResult;
  return `idle with ${i.pending} pending: storage ${i.storageBytesPerEvent ?? '–'} B/event, ${Object.entries(i.cpu)
    .map(([role, u]) => `${role} ${u.cpuPct}% ${u.pssEndMB} MB`)
    .join(', ')}`;
}

function drawChart(
  v: Variant,
  vr: VariantReport,
  pooled: Map<string, { samples: number[]; expected: number }> | undefined,
  o: Options,
  stamp: string,
): string | null {
  const file = path.join(o.outDir, `${stamp}-${v.id}.png`);
  const sub = `${o.quick ? 'quick mode · ' : ''}${o.repeats} run(s) pooled · ${os.cpus().length} cores · Node ${process.version}`;
  try {
    if (v.scenario === 'create' || v.scenario === 'idle') {
      const cells = Object.entries(vr.systems).filter(([, c]) => c.median);
      if (!cells.length) return null;
      const val = (f: (r: ScenarioResult) => number | null) =>
        cells.map(([name, c]) => {
          const value = f(c.median!);
          return {
            name,
            label: c.label,
            value,
            text: value === null ? undefined : Math.round(value).toLocaleString('en-US'),
          };
        });
      const panels =
        v.scenario === 'create'
          ? [
              { title: 'events/s, 1 at a time', values: val((r) => (r as CreateResult).c1.perSecond) },
              {
                title: `events/s, ${o.create.concurrency} concurrent`,
                values: val((r) => (r as CreateResult).c50.perSecond),
              },
              {
                title: `events/s, batches of ${o.create.batchSize}`,
                values: val((r) => (r as CreateResult).batch?.perSecond ?? null),
              },
            ]
          : [
              {
                title: 'memory MB (PSS), all processes',
                values: val((r) => sumRoles(r as IdleResult, (u) => u.pssEndMB)),
              },
              {
                title: 'CPU % of a core at idle',
                values: val((r) => sumRoles(r as IdleResult, (u) => u.cpuPct)),
              },
              { title: 'store bytes per pending event', values: val((r) => (r as IdleResult).storageBytesPerEvent) },
            ];
      const written = writeChart(barsSvg(v.title, sub, panels), file);
      return path.basename(written);
    }
    if (!pooled || pooled.size === 0) return null;
    const series: CdfSeries[] = [...pooled.entries()].map(([name, { samples, expected }]) => ({
      name,
      label: vr.systems[name]?.label ?? name,
      samples,
      expected,
    }));
    const written = writeChart(cdfSvg(`${v.title}: lateness`, sub, series), file);
    return path.basename(written);
  } catch (err) {
    log(`chart for ${v.id} failed: ${String(err)}`);
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function sumRoles(r: IdleResult, f: (u: { cpuPct: number; pssEndMB: number }) => number): number {
  return Object.entries(r.cpu)
    .filter(([role]) => role !== 'receiver' && role !== 'loadgen' && role !== 'other')
    .reduce((a, [, u]) => a + f(u), 0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
