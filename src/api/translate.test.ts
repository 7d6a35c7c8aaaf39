import type { AttemptRecord } from '../shared/event';
import { toHasuraInvocation } from './translate';

const base: AttemptRecord = {
  id: 'inv-1',
  eventId: 'ev-1',
  attempt: 1,
  createdAt: '2024-01-01T00:00:00.000Z',
  durationMs: 12,
  success: false,
  status: null,
  request: {
    body: {
      id: 'ev-1',
      scheduled_time: '2024-01-01T00:00:00.000Z',
      payload: null,
      created_at: '2023-12-31T00:00:00.000Z',
    },
    headers: [
      { name: 'Content-Type', value: 'application/json' },
      { name: 'Authorization', valueFromEnv: 'HOOK_TOKEN' },
    ],
  },
  response: { type: 'client_error', message: 'connect ECONNREFUSED', bodyTruncated: false },
  retryAfterSeconds: null,
};

describe('toHasuraInvocation', () => {
  it("has Hasura's shape, env headers logged as references", () => {
    expect(toHasuraInvocation(base)).toEqual({
      id: 'inv-1',
      event_id: 'ev-1',
      status: null,
      request: {
        payload: base.request.body,
        headers: [
          { name: 'Content-Type', value: 'application/json' },
          { name: 'Authorization', value_from_env: 'HOOK_TOKEN' },
        ],
        version: '1',
      },
      response: { type: 'client_error', data: { message: 'connect ECONNREFUSED' }, version: '1' },
      created_at: '2024-01-01T00:00:00.000Z',
    });
  });

  it('adds data.truncated only when the stored body was cut', () => {
    const cut = toHasuraInvocation({
      ...base,
      status: 502,
      response: { type: 'client_error', message: '<html>…', bodyTruncated: true },
    });
    expect(cut.response).toEqual({ type: 'client_error', data: { message: '<html>…', truncated: true }, version: '1' });
  });
});
