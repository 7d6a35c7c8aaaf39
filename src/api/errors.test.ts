import { ApiError, jsonPath, toApiError } from './errors';
import { EventConflictError, EventNotFoundError, SchedulerUnavailableError } from '../shared/errors';

describe('jsonPath', () => {
  it('writes keys and indices as aeson does', () => {
    expect(jsonPath('$', [])).toBe('$');
    expect(jsonPath('$.args', ['retry_conf', 'num_retries'])).toBe('$.args.retry_conf.num_retries');
    expect(jsonPath('$.args', ['headers', 0, 'name'])).toBe('$.args.headers[0].name');
    expect(jsonPath('$', ['args', 2, 'args'])).toBe('$.args[2].args');
    expect(jsonPath('$', ['odd key', "it's"])).toBe("$['odd key']['it\\'s']");
  });
});

describe('toApiError', () => {
  it('maps the domain errors', () => {
    expect(toApiError(new EventNotFoundError('e1')).toBody()).toEqual({
      path: '$',
      code: 'not-found',
      error: 'scheduled event not found: e1',
    });
    expect(toApiError(new EventConflictError('e1', 'already finished')).status).toBe(409);
    expect(toApiError(new SchedulerUnavailableError()).status).toBe(503);
  });

  it('passes ApiErrors through and hides anything else', () => {
    const apiError = ApiError.parseFailed('bad', '$.args');
    expect(toApiError(apiError)).toBe(apiError);
    const hidden = toApiError(new Error('db password is hunter2'));
    expect(hidden.status).toBe(500);
    expect(hidden.message).not.toContain('hunter2');
  });
});
