import { exceedsJsonDepth, MAX_JSON_DEPTH } from './request-body';
import { createTestApp } from '../../test/doubles/api';

function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { k: value };
  return value;
}

describe('exceedsJsonDepth', () => {
  it('counts objects and arrays, not scalars', () => {
    expect(exceedsJsonDepth(1, 0)).toBe(false);
    expect(exceedsJsonDepth({}, 0)).toBe(true);
    expect(exceedsJsonDepth(nested(3), 3)).toBe(false);
    expect(exceedsJsonDepth(nested(4), 3)).toBe(true);
    expect(exceedsJsonDepth({ a: [1, 2, { b: null }], c: 'x' }, 3)).toBe(false);
  });
});

describe('request bodies', () => {
  const envelope = (payload: string) =>
    `{"type":"create_scheduled_event","args":{"webhook":"https://example.com","schedule_at":"2024-01-01T00:00:00Z","payload":${payload}}}`;

  it('refuses absurd nesting with a 400, not a stack overflow', async () => {
    const { post } = createTestApp();
    const depth = 200_000;
    const res = await post('/v1/metadata', envelope(`${'['.repeat(depth)}${']'.repeat(depth)}`));
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      path: '$',
      code: 'parse-failed',
      error: `request body nests objects and arrays deeper than ${MAX_JSON_DEPTH} levels`,
    });
  });

  it('accepts a payload nested as deep as the limit allows', async () => {
    const { post } = createTestApp();
    const depth = MAX_JSON_DEPTH - 3; // the envelope and args take two levels
    const res = await post('/v1/metadata', envelope(`${'['.repeat(depth)}${']'.repeat(depth)}`));
    expect(res.status).toBe(200);
  });

  it('reads a streamed body (no Content-Length) under the limit', async () => {
    const { request } = createTestApp();
    const bytes = new TextEncoder().encode(envelope('{"streamed":"✓"}'));
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.subarray(0, 10));
        controller.enqueue(bytes.subarray(10));
        controller.close();
      },
    });
    const res = await request('/v1/metadata', {
      method: 'POST',
      body: stream,
      duplex: 'half',
      headers: { 'Content-Type': 'application/json' },
    });
    expect(res.status).toBe(200);
  });
});
