/**
 * JSON written as it is produced, for answers too large to hold: Hasura's `get_scheduled_events` without `limit`
 * returns every event, as Hasura does, and 100,000 events would be ~100 MB as one string. The stream is pulled, so
 * a slow client slows the listing instead of letting it pile up in memory.
 */

/** An array whose items are produced later; written as a JSON array. */
export class StreamedArray<T> {
  constructor(readonly items: AsyncIterable<T>) {}
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof StreamedArray);
}

/** Whether the value holds a StreamedArray at its top or one level down (a command result, or a bulk's list). */
export function holdsStream(value: unknown): boolean {
  if (value instanceof StreamedArray) return true;
  if (Array.isArray(value)) return value.some(holdsStream);
  return isPlainObject(value) && Object.values(value).some((v) => v instanceof StreamedArray);
}

/** The JSON text of `value`, in pieces; parts without a StreamedArray are written by JSON.stringify whole. */
export async function* jsonChunks(value: unknown): AsyncGenerator<string> {
  if (!holdsStream(value)) {
    yield JSON.stringify(value) ?? 'null';
    return;
  }
  if (value instanceof StreamedArray) {
    yield '[';
    let first = true;
    for await (const item of value.items) {
      yield (first ? '' : ',') + JSON.stringify(item);
      first = false;
    }
    yield ']';
  } else if (Array.isArray(value)) {
    yield '[';
    for (const [i, item] of value.entries()) {
      if (i > 0) yield ',';
      yield* jsonChunks(item);
    }
    yield ']';
  } else {
    yield '{';
    let first = true;
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      if (item === undefined) continue;
      yield `${first ? '' : ','}${JSON.stringify(key)}:`;
      yield* jsonChunks(item);
      first = false;
    }
    yield '}';
  }
}

/** Bytes gathered before a write: one event per write would be thousands of tiny socket writes. */
const WRITE_BYTES = 64 * 1024;

/**
 * A byte stream of `value`'s JSON. A failure after the first bytes cannot change the status any more: the stream
 * errors, which cuts the connection, so the client sees a truncated body rather than a complete-looking one.
 */
export function jsonStream(value: unknown, onError: (err: unknown) => void): ReadableStream<Uint8Array> {
  const chunks = jsonChunks(value);
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        let text = '';
        while (text.length < WRITE_BYTES) {
          const next = await chunks.next();
          if (next.done) {
            if (text !== '') controller.enqueue(encoder.encode(text));
            controller.close();
            return;
          }
          text += next.value;
        }
        controller.enqueue(encoder.encode(text));
      } catch (err) {
        onError(err);
        controller.error(err);
      }
    },
    async cancel() {
      await chunks.return(undefined);
    },
  });
}
