import type { WorkflowExecutionInfo } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import { DEFAULT_RETRY_CONF, type EventDefinition } from '../shared/event';
import {
  EVENT_NEXT_RETRY_AT,
  EVENT_STATUS,
  EVENT_TRIES,
  MEMO_CREATED_AT,
  MEMO_DEFINITION,
} from '../../workflows/storage-schema';
import { eventFromExecution } from './event-from-execution';

const DEFINITION: EventDefinition = {
  webhook: 'https://example.com/hook',
  scheduledTime: '2030-01-01T00:00:00.000Z',
  payload: { a: 1 },
  headers: [{ name: 'X-Key', valueFromEnv: 'RECEIVER_KEY' }],
  retryConf: { ...DEFAULT_RETRY_CONF, numRetries: 2 },
  comment: 'c',
};

type View = Parameters<typeof eventFromExecution>[0];

function view(
  status: WorkflowExecutionInfo['status']['name'],
  attributes: { status?: string; tries?: number; nextRetryAt?: Date } = {},
  memo: Record<string, unknown> | undefined = {
    [MEMO_DEFINITION]: DEFINITION,
    [MEMO_CREATED_AT]: '2029-12-31T00:00:00.000Z',
  },
): View {
  const pairs = [
    ...(attributes.status !== undefined ? [{ key: EVENT_STATUS, value: attributes.status }] : []),
    ...(attributes.tries !== undefined ? [{ key: EVENT_TRIES, value: attributes.tries }] : []),
    ...(attributes.nextRetryAt !== undefined ? [{ key: EVENT_NEXT_RETRY_AT, value: attributes.nextRetryAt }] : []),
  ];
  return {
    workflowId: 'evt-1',
    memo,
    typedSearchAttributes: new TypedSearchAttributes(pairs),
    status: { name: status } as WorkflowExecutionInfo['status'],
  };
}

describe('eventFromExecution', () => {
  it('builds the event from the memo (definition) and the search attributes (live state)', () => {
    const event = eventFromExecution(
      view('RUNNING', { status: 'scheduled', tries: 1, nextRetryAt: new Date('2030-01-01T00:00:10Z') }),
    );
    expect(event).toEqual({
      id: 'evt-1',
      createdAt: '2029-12-31T00:00:00.000Z',
      ...DEFINITION,
      status: 'scheduled',
      tries: 1,
      nextRetryAt: '2030-01-01T00:00:10.000Z',
    });
  });

  it('reads a fresh event (no attributes yet) as scheduled, with no tries and no retry', () => {
    expect(eventFromExecution(view('RUNNING'))).toMatchObject({ status: 'scheduled', tries: 0, nextRetryAt: null });
  });

  it('is undefined for an execution that is not an event (no memo, or no creation time)', () => {
    expect(eventFromExecution({ ...view('RUNNING'), memo: undefined })).toBeUndefined();
    expect(eventFromExecution(view('RUNNING', {}, { [MEMO_DEFINITION]: DEFINITION }))).toBeUndefined();
  });

  it('keeps a final status the workflow recorded, however the execution closed', () => {
    for (const closed of ['COMPLETED', 'TERMINATED', 'FAILED'] as const) {
      expect(eventFromExecution(view(closed, { status: 'delivered' }))?.status).toBe('delivered');
    }
  });

  it('derives the status of an execution ended from outside: cancelled when stopped, error when it broke', () => {
    expect(eventFromExecution(view('TERMINATED', { status: 'locked' }))?.status).toBe('cancelled');
    expect(eventFromExecution(view('CANCELLED', { status: 'scheduled' }))?.status).toBe('cancelled');
    expect(eventFromExecution(view('FAILED', { status: 'locked' }))?.status).toBe('error');
    expect(eventFromExecution(view('TIMED_OUT', { status: 'scheduled' }))?.status).toBe('error');
  });

  it('reads an unknown recorded status as scheduled while running', () => {
    expect(eventFromExecution(view('RUNNING', { status: 'bogus' }))?.status).toBe('scheduled');
  });
});
