import { holdsStream, jsonChunks, jsonStream, StreamedArray } from './json-stream';

async function* items<T>(values: T[]): AsyncGenerator<T> {
  for (const v of values) yield v;
}

async function text(value: unknown): Promise<string> {
  let out = '';
  for await (const chunk of jsonChunks(value)) out += chunk;
  return out;
}

describe('jsonChunks', () => {
  it('writes what JSON.stringify writes, with streamed arrays as arrays', async () => {
    const value = { events: new StreamedArray(items([{ a: 1 }, { b: [2, 'x'] }])), count: 2, skipped: undefined };
    expect(JSON.parse(await text(value))).toEqual({ events: [{ a: 1 }, { b: [2, 'x'] }], count: 2 });
    expect(await text([{ message: 'success' }, { events: new StreamedArray(items([])) }])).toBe(
      '[{"message":"success"},{"events":[]}]',
    );
    expect(await text({ plain: [1, 2] })).toBe('{"plain":[1,2]}');
  });

  it('knows which answers stream', () => {
    expect(holdsStream({ events: [] })).toBe(false);
    expect(holdsStream({ events: new StreamedArray(items([])) })).toBe(true);
    expect(holdsStream([{ message: 'success' }, { events: new StreamedArray(items([])) }])).toBe(true);
  });
});

describe('jsonStream', () => {
  it('errors the stream (a cut connection, not a complete-looking body) when the items fail midway', async () => {
    async function* failing(): AsyncGenerator<number> {
      yield 1;
      throw new Error('visibility went away');
    }
    const errors: unknown[] = [];
    const reader = jsonStream({ events: new StreamedArray(failing()) }, (err) => errors.push(err)).getReader();
    await expect(
      (async () => {
        for (;;) if ((await reader.read()).done) return;
      })(),
    ).rejects.toThrow('visibility went away');
    expect(errors).toHaveLength(1);
  });

  it('produces only as it is read', async () => {
    let produced = 0;
    async function* many(): AsyncGenerator<string> {
      for (;;) {
        produced += 1;
        yield 'x'.repeat(1000);
      }
    }
    const reader = jsonStream({ events: new StreamedArray(many()) }, () => undefined).getReader();
    await reader.read();
    await reader.read();
    // Two reads of ~64 KiB each: about 130 items, not an unbounded run-ahead.
    expect(produced).toBeLessThan(400);
    await reader.cancel();
  });
});
