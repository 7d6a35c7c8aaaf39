import { WorkflowNotFoundError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import { EventNotFoundError, SchedulerUnavailableError } from '../shared/errors';
import { toDomainError } from './to-domain-error';

describe('toDomainError', () => {
  it('makes an Update that no worker took in time a retryable "unavailable", not an unexpected error', () => {
    // Seen when the worker holding the event's sticky queue was killed just before a PATCH (cancel-model test).
    const err = new WorkflowUpdateRPCTimeoutOrCancelledError('Deadline exceeded after 10.000s');
    expect(toDomainError(err, 'e1')).toBeInstanceOf(SchedulerUnavailableError);
  });

  it('makes a missing workflow a missing event', () => {
    const mapped = toDomainError(new WorkflowNotFoundError('gone', 'e1', undefined), 'e1');
    expect(mapped).toBeInstanceOf(EventNotFoundError);
    expect((mapped as EventNotFoundError).eventId).toBe('e1');
  });

  it('passes anything unknown through', () => {
    const err = new TypeError('a bug');
    expect(toDomainError(err)).toBe(err);
  });
});
