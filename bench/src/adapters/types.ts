import type { PgInfo, RedisInfo } from '../infra';
import type { Role } from '../procstat';

/** One event as the harness sees it: a bench id (unique per run), its due instant and its payload. */
export interface BenchEvent {
  /** Carried in `payload.bid`; the receiver keys arrivals by it. */
  bid: string;
  /** Due instant, epoch ms. */
  dueAt: number;
  payload: { bid: string; pad?: string };
}

export interface AdapterEnv {
  redis?: RedisInfo;
  pg?: PgInfo;
  /** The shared receiver's webhook URL for this system. */
  webhookUrl: string;
  /** Unique per run: queue, database and directory names derive from it. */
  runTag: string;
  /** The session's temp dir. */
  tmp: string;
  /** The main repository (for our service). */
  repoRoot: string;
  log(msg: string): void;
}

export interface StorageReading {
  bytes: number;
  /** What was measured, e.g. "redis used_memory" or "pg_database_size". */
  what: string;
}

/**
 * A system under test. The harness calls start → schedule/scheduleMany → (waits for the receiver) → stop, once per
 * run, and every run starts from empty state.
 */
export interface SystemAdapter {
  /** CLI key. */
  readonly name: string;
  /** Display name (with "emulation" where it is one). */
  readonly label: string;
  readonly needs: readonly ('redis' | 'postgres')[];
  /** The system's native batch-create call, or null when it has none (scheduleMany then runs concurrent singles). */
  readonly batchKind: string | null;
  /** Settings that shape the numbers, copied into the report. */
  config(): Record<string, unknown>;
  start(env: AdapterEnv): Promise<void>;
  schedule(ev: BenchEvent): Promise<void>;
  /** Create events in one call where the system has a batch API (the harness passes chunks of at most 1,000). */
  scheduleMany(evs: BenchEvent[]): Promise<void>;
  /** Processes to measure, by role. */
  roles(): Role[];
  /** Bytes held by the system's store, for storage per pending event. */
  storage(): Promise<StorageReading | null>;
  /** A monotonically increasing count of store operations (commands, transactions), for activity at idle. */
  counters?(): Promise<{ ops: number; what: string } | null>;
  stop(): Promise<void>;
}

/** Run `fn` over `items` with at most `limit` in flight. */
export async function mapLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: unknown = null;
  const lane = async (): Promise<void> => {
    while (failure === null && next < items.length) {
      const item = items[next++]!;
      try {
        await fn(item);
      } catch (err) {
        failure = err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  if (failure !== null) throw failure;
}

/** The webhook body a queue job carries; workers post it as is. */
export function webhookBody(ev: BenchEvent): {
  id: string;
  scheduled_time: string;
  payload: unknown;
  created_at: string;
} {
  return {
    id: ev.bid,
    scheduled_time: new Date(ev.dueAt).toISOString(),
    payload: ev.payload,
    created_at: new Date().toISOString(),
  };
}
