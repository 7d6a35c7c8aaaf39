import type { LogEntry } from '@temporalio/worker';
import { createBatchedLogFunction, formatLogLine } from './worker-log';

const AT = Date.parse('2026-11-28T04:30:00.123Z');

function entry(overrides: Partial<LogEntry> = {}): LogEntry {
  return { level: 'INFO', message: 'webhook attempt delivered', timestampNanos: BigInt(AT) * 1_000_000n, ...overrides };
}

describe('formatLogLine', () => {
  it('writes the time, level, message and the meta as JSON', () => {
    const line = formatLogLine(entry({ meta: { eventId: 'evt-1', status: 200, nested: { ok: true } } }));
    expect(line).toBe(
      '2026-11-28T04:30:00.123Z [INFO] webhook attempt delivered {"eventId":"evt-1","status":200,"nested":{"ok":true}}',
    );
  });

  it('writes no meta when there is none', () => {
    expect(formatLogLine(entry({ level: 'WARN', message: 'x' }))).toBe('2026-11-28T04:30:00.123Z [WARN] x');
    expect(formatLogLine(entry({ message: 'x', meta: {} }))).toBe('2026-11-28T04:30:00.123Z [INFO] x');
  });

  it('writes bigints as strings and errors with their message, and survives a cycle', () => {
    const line = formatLogLine(entry({ meta: { n: 12n, error: new TypeError('bad') } }));
    expect(JSON.parse(line.slice(line.indexOf('{')))).toMatchObject({
      n: '12',
      error: { name: 'TypeError', message: 'bad' },
    });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(formatLogLine(entry({ message: 'x', meta: cyclic }))).toBe(
      '2026-11-28T04:30:00.123Z [INFO] x "(meta not serializable)"',
    );
  });
});

describe('createBatchedLogFunction', () => {
  it('writes the lines logged in one event-loop turn together, once', async () => {
    const writes: string[] = [];
    const log = createBatchedLogFunction((text) => writes.push(text));

    log(entry({ message: 'one' }));
    log(entry({ message: 'two' }));
    expect(writes).toHaveLength(0);
    await new Promise((resolve) => setImmediate(resolve));
    log(entry({ message: 'three' }));
    await new Promise((resolve) => setImmediate(resolve));

    expect(writes).toEqual([
      '2026-11-28T04:30:00.123Z [INFO] one\n2026-11-28T04:30:00.123Z [INFO] two\n',
      '2026-11-28T04:30:00.123Z [INFO] three\n',
    ]);
  });
});
