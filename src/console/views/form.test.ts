import { fieldOfPath } from './form';

describe('fieldOfPath: where the form shows an API error', () => {
  it.each([
    ['$.webhook', 'webhook must be an absolute http or https URL', 'webhook'],
    ['$.schedule_at', 'schedule_at has no timezone', 'schedule_at'],
    ['$.payload', 'payload must be JSON', 'payload'],
    ['$.headers[2].name', 'header name must be a valid HTTP token', 'headers'],
    ['$.headers', 'headers can have at most 50 items', 'headers'],
    ['$.retry_conf.num_retries', 'num_retries cannot be a negative value', 'retry_conf.num_retries'],
    ['$.retry_conf.tolerance_seconds', 'tolerance_seconds can be at most 2592000', 'retry_conf.tolerance_seconds'],
    ['$.retry_conf', 'retry_conf must be an object', 'retry_conf.num_retries'],
    ['$.comment', 'comment must be a string', 'comment'],
    ['$.failure_webhook', 'failure_webhook points at 10.0.0.1', 'failure_webhook'],
    ['$', 'key "webhook" not found', 'webhook'],
  ])('%s (%s) → %s', (path, message, field) => {
    expect(fieldOfPath(path, message)).toBe(field);
  });

  it.each([
    ['$', 'request body must set at least one of schedule_at, payload'],
    ['$', 'an attempt is already prepared or made'],
    ['$.events[0].webhook', 'webhook is invalid'],
    ['$.query.limit', 'limit can be at most 1000'],
  ])('leaves %s (%s) to the form-level message', (path, message) => {
    expect(fieldOfPath(path, message)).toBeUndefined();
  });
});
