/**
 * How the worker writes its log: the Temporal SDK's line shape (`<ISO time> [LEVEL] message {meta}`), with the meta
 * as JSON, written once per event-loop turn instead of once per line.
 *
 * Why not the SDK's default log function: it formats the meta with `util.inspect` and writes each line to stderr on
 * its own (a synchronous write when stderr is a file or a pipe). A burst of 1,000 due events logs 1,000 attempt lines
 * in the same second that their calls go out; profiled (`node --cpu-prof`, bench/run.sh --scenarios burst), those
 * lines took 113 ms of the worker's 1.3 s on the instant. JSON meta is also what log pipelines parse.
 */
import { DefaultLogger, type LogEntry, type LogLevel, Runtime } from '@temporalio/worker';

/** JSON for a log meta value: bigints as strings, errors with their message and stack, a cycle as a marker. */
function metaJson(meta: Record<string, unknown>): string {
  try {
    return JSON.stringify(meta, (_key, value: unknown) => {
      if (typeof value === 'bigint') return value.toString();
      if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
      return value;
    });
  } catch {
    return '"(meta not serializable)"';
  }
}

/** One log line, without its newline. */
export function formatLogLine(entry: LogEntry): string {
  const time = new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString();
  const meta = entry.meta && Object.keys(entry.meta).length > 0 ? ` ${metaJson(entry.meta)}` : '';
  return `${time} [${entry.level}] ${entry.message}${meta}`;
}

/**
 * A log function that collects lines and writes them together at the end of the current event-loop turn (and at
 * process exit), so a burst of lines is one write.
 */
export function createBatchedLogFunction(write: (text: string) => void): (entry: LogEntry) => void {
  let pending: string[] = [];
  const flush = (): void => {
    if (pending.length === 0) return;
    const text = `${pending.join('\n')}\n`;
    pending = [];
    write(text);
  };
  process.once('exit', flush);
  return (entry) => {
    if (pending.length === 0) setImmediate(flush);
    pending.push(formatLogLine(entry));
  };
}

/**
 * Installs the worker's log (call once, before the worker connects). `level` is the least severe level written.
 */
export function installWorkerLogging(level: LogLevel = 'INFO', sdkMetricsAddress?: string): void {
  // stderr, as the SDK's default; a write to a file or a pipe is synchronous there, so nothing is lost at exit.
  const writeStderr = (text: string): void => void process.stderr.write(text);
  Runtime.install({
    logger: new DefaultLogger(level, createBatchedLogFunction(writeStderr)),
    // The SDK's own metrics (task latencies, slots, polls, sticky cache), from its Prometheus exporter.
    ...(sdkMetricsAddress === undefined
      ? {}
      : { telemetryOptions: { metrics: { prometheus: { bindAddress: sdkMetricsAddress } } } }),
  });
}
