import {
  AccessDeniedApiError,
  ApiError,
  BadRequestApiError,
  ConflictApiError,
  NotFoundApiError,
  PayloadTooLargeApiError,
  RateLimitedApiError,
  ScheduledEventsError,
  UnavailableApiError,
} from './errors';
import { ERROR_STATUS } from '../shared/error-codes';
import { apiErrorFromItem, apiErrorFromResponse } from './to-api-error';

const body = (code: string, path = '$') => JSON.stringify({ path, error: `msg ${code}`, code });

describe('apiErrorFromResponse', () => {
  it.each([
    [400, 'parse-failed', BadRequestApiError],
    [401, 'access-denied', AccessDeniedApiError],
    [404, 'not-found', NotFoundApiError],
    [409, 'conflict', ConflictApiError],
    [413, 'payload-too-large', PayloadTooLargeApiError],
    [429, 'rate-limited', RateLimitedApiError],
    [503, 'unavailable', UnavailableApiError],
  ])('maps %i %s to its class', (status, code, ErrorClass) => {
    const error = apiErrorFromResponse(status, body(code, '$.schedule_at'), null, 1);
    expect(error).toBeInstanceOf(ErrorClass);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toBeInstanceOf(ScheduledEventsError);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ status, code, path: '$.schedule_at', message: `msg ${code}`, name: ErrorClass.name });
  });

  it('keeps the server code even when it is not the usual one for the status', () => {
    const error = apiErrorFromResponse(400, body('invalid-json'), null, 1);
    expect(error).toBeInstanceOf(BadRequestApiError);
    expect(error.code).toBe('invalid-json');
  });

  it('makes a plain ApiError for other statuses', () => {
    const error = apiErrorFromResponse(500, body('internal'), null, 2);
    expect(error.constructor).toBe(ApiError);
    expect(error).toMatchObject({ status: 500, code: 'internal', attempts: 2 });
  });

  it('describes a body that is not the API error shape', () => {
    const error = apiErrorFromResponse(502, '<html>Bad Gateway</html>', 1_000, 3);
    expect(error).toMatchObject({
      status: 502,
      code: 'http-502',
      path: '$',
      message: 'HTTP 502: <html>Bad Gateway</html>',
      retryAfterMs: 1_000,
      attempts: 3,
    });
    expect(apiErrorFromResponse(503, '', null, 1)).toBeInstanceOf(UnavailableApiError);
    expect(apiErrorFromResponse(503, '', null, 1).message).toBe('HTTP 503');
    expect(apiErrorFromResponse(418, 'x'.repeat(1_000), null, 1).message.length).toBeLessThan(250);
  });
});

describe('apiErrorFromItem', () => {
  it('derives the status and class from the code', () => {
    const error = apiErrorFromItem({ path: '$.events[2].webhook', error: 'bad url', code: 'parse-failed' }, 1);
    expect(error).toBeInstanceOf(BadRequestApiError);
    expect(error).toMatchObject({ status: 400, path: '$.events[2].webhook', message: 'bad url' });
    expect(apiErrorFromItem({ path: '$', error: 'x', code: 'conflict' }, 1)).toBeInstanceOf(ConflictApiError);
    expect(apiErrorFromItem({ path: '$', error: 'x', code: 'unavailable' }, 1)).toBeInstanceOf(UnavailableApiError);
  });

  it('gives every code the status the server answers it with (src/shared/error-codes.ts)', () => {
    for (const [code, status] of Object.entries(ERROR_STATUS)) {
      expect([code, apiErrorFromItem({ path: '$', error: 'x', code }, 1).status]).toEqual([code, status]);
    }
    // An inherited property name is not a code.
    expect(apiErrorFromItem({ path: '$', error: 'x', code: 'toString' }, 1).status).toBe(400);
  });

  it('treats an unknown code as a 400', () => {
    const error = apiErrorFromItem({ path: '$', error: 'x', code: 'brand-new' }, 1);
    expect(error).toMatchObject({ status: 400, code: 'brand-new' });
  });
});
