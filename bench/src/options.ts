import path from 'node:path';
import { DEFAULT_SYSTEMS, SYSTEMS } from './adapters';

export const SCENARIOS = ['single', 'burst', 'sustained', 'create', 'idle', 'surge', 'stream'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];
const LETTERS: Record<string, ScenarioName> = {
  a: 'single',
  b: 'burst',
  c: 'sustained',
  d: 'create',
  e: 'idle',
  f: 'surge',
  g: 'stream',
};

export interface Options {
  quick: boolean;
  scenarios: ScenarioName[];
  systems: string[];
  repeats: number;
  /** Whole session bound: runs not started by then are skipped (and reported as such). */
  maxMinutes: number;
  outDir: string;
  /** Bytes of padding in each payload. */
  payloadPad: number;
  single: { count: number; intervalMs: number; leadMs: number; graceS: number };
  burst: { sizes: number[]; minLeadMs: number; maxLeadMs: number; drainTimeoutS: number };
  sustained: { rates: number[]; durationS: number; leadMs: number; drainTimeoutS: number };
  create: { durationS: number; maxCount: number; concurrency: number; batchSize: number };
  idle: { pending: number; createTimeoutS: number; settleMaxS: number; idleS: number };
  /** (f): `backlog` events due in 6 h created at once, then `count` due `leadMs` after their creation, one a second. */
  surge: { backlog: number; count: number; intervalMs: number; leadMs: number; graceS: number };
  /**
   * (g): a stream due at `rate`/s for `durationS`, each created `leadMs` ahead, and `extra` more events (due in 1 h)
   * created as fast as the system takes them (single calls, `create.concurrency` at a time) starting `extraAfterS` in.
   */
  stream: {
    rate: number;
    durationS: number;
    leadMs: number;
    drainTimeoutS: number;
    extra: number;
    extraAfterS: number;
  };
}

const HELP = `bench/run.sh [options]  — lateness and throughput of scheduled-events and its peers

  --quick                 small sizes and short durations (a few minutes per system)
  --scenarios LIST        single,burst,sustained,create,idle,surge,stream (or a,b,c,d,e,f,g); default: all
  --systems LIST          ${Object.keys(SYSTEMS).join(',')}
                          default: ${DEFAULT_SYSTEMS.join(',')}
  --repeats N             runs per scenario and system; tables show medians (default 3, quick 1)
  --max-minutes M         bound on the whole session (default 300, quick 60)
  --burst-sizes LIST      events due at one instant (default 1000,10000; quick 1000,2000)
  --rates LIST            sustained due-rates, events/s (default 50,100,300)
  --duration S            sustained duration, s (default 120; quick 20)
  --stream-extra N        events created at full speed beside the stream scenario's 50/s (default 2000)
  --burst-lead S          create bursts S seconds before their instant (default: sized from the creation rate)
  --single-count N        events in the low-rate scenario (default 100; quick 30)
  --idle-pending N        pending events for the idle scenario (default 100000; quick 10000)
  --surge-backlog N       events due in 6 h created just before the surge scenario's events due soon
                          (default 10000; quick 3000)
  --create-seconds S      time per creation mode (default 10; quick 3)
  --payload-bytes N       padding per payload (default 200)
  --out DIR               results directory, relative to where run.sh is started (default bench/results)

Env: OURS_URL (use a running service), OURS_WORKER_CMD, OURS_SERVER_CMD, OURS_MAIN_CMD, OURS_TEMPORAL_CMD,
OURS_TEMPORAL_STOP_CMD, OURS_ADMIN_SECRET, OURS_START_TIMEOUT_S; BULLMQ_CONCURRENCY, PGBOSS_BATCH_SIZE,
GRAPHILE_CONCURRENCY; RECEIVER_DELAY_MS.`;

const list = (s: string): string[] =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
const nums = (s: string): number[] => list(s).map(Number);

export function parseOptions(argv: string[], defaultOut: string): Options {
  const quick = argv.includes('--quick');
  const o: Options = {
    quick,
    scenarios: [...SCENARIOS],
    systems: [...DEFAULT_SYSTEMS],
    repeats: quick ? 1 : 3,
    maxMinutes: quick ? 60 : 300,
    outDir: defaultOut,
    payloadPad: 200,
    single: quick
      ? { count: 30, intervalMs: 500, leadMs: 3000, graceS: 25 }
      : { count: 100, intervalMs: 500, leadMs: 5000, graceS: 30 },
    burst: quick
      ? { sizes: [1000, 2000], minLeadMs: 5000, maxLeadMs: 120_000, drainTimeoutS: 60 }
      : { sizes: [1000, 10000], minLeadMs: 10_000, maxLeadMs: 300_000, drainTimeoutS: 120 },
    sustained: quick
      ? { rates: [50, 100, 300], durationS: 20, leadMs: 5000, drainTimeoutS: 30 }
      : { rates: [50, 100, 300], durationS: 120, leadMs: 10_000, drainTimeoutS: 60 },
    create: quick
      ? { durationS: 3, maxCount: 5000, concurrency: 50, batchSize: 1000 }
      : { durationS: 10, maxCount: 50_000, concurrency: 50, batchSize: 1000 },
    idle: quick
      ? { pending: 10_000, createTimeoutS: 180, settleMaxS: 120, idleS: 15 }
      : { pending: 100_000, createTimeoutS: 1200, settleMaxS: 600, idleS: 60 },
    surge: quick
      ? { backlog: 3000, count: 10, intervalMs: 1000, leadMs: 10_000, graceS: 120 }
      : { backlog: 10_000, count: 20, intervalMs: 1000, leadMs: 10_000, graceS: 120 },
    stream: quick
      ? { rate: 50, durationS: 40, leadMs: 5000, drainTimeoutS: 30, extra: 2000, extraAfterS: 5 }
      : { rate: 50, durationS: 60, leadMs: 10_000, drainTimeoutS: 60, extra: 2000, extraAfterS: 10 },
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const v = (): string => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`${a} needs a value`);
      return next;
    };
    switch (a) {
      case '--quick':
        break;
      case '-h':
      case '--help':
        console.log(HELP);
        process.exit(0);
        break;
      case '--scenarios':
        o.scenarios = list(v()).map((s) => {
          const name = LETTERS[s] ?? s;
          if (!(SCENARIOS as readonly string[]).includes(name)) throw new Error(`unknown scenario ${s}`);
          return name as ScenarioName;
        });
        break;
      case '--systems':
        o.systems = list(v());
        for (const s of o.systems)
          if (!SYSTEMS[s]) throw new Error(`unknown system ${s} (${Object.keys(SYSTEMS).join(', ')})`);
        break;
      case '--repeats':
        o.repeats = Math.max(1, Number(v()));
        break;
      case '--max-minutes':
        o.maxMinutes = Number(v());
        break;
      case '--burst-sizes':
        o.burst.sizes = nums(v());
        break;
      case '--rates':
        o.sustained.rates = nums(v());
        break;
      case '--duration':
        o.sustained.durationS = Number(v());
        break;
      case '--stream-extra':
        o.stream.extra = Number(v());
        break;
      case '--burst-lead':
        o.burst.minLeadMs = o.burst.maxLeadMs = Number(v()) * 1000;
        break;
      case '--single-count':
        o.single.count = Number(v());
        break;
      case '--idle-pending':
        o.idle.pending = Number(v());
        break;
      case '--surge-backlog':
        o.surge.backlog = Number(v());
        break;
      case '--create-seconds':
        o.create.durationS = Number(v());
        break;
      case '--payload-bytes':
        o.payloadPad = Number(v());
        break;
      case '--out':
        // From where bench/run.sh was started (it runs this from bench/): `--out bench/results/x` given in the
        // repository root landed in bench/bench/results/x before.
        o.outDir = path.resolve(process.env.BENCH_CALLER_CWD ?? process.cwd(), v());
        break;
      default:
        throw new Error(`unknown option ${a}\n\n${HELP}`);
    }
  }
  return o;
}
