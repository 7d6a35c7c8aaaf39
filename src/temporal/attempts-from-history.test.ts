import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { AttemptRecord, DeliverWebhookInput } from '../shared/event';
import {
  attemptsFromHistory,
  LOST_IN_FLIGHT_MESSAGE,
  RERUN_NOT_MADE_MESSAGE,
  TERMINATED_IN_FLIGHT_MESSAGE,
} from './attempts-from-history';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
/** protobufjs converts plain numbers to the Long the types want. */
const event = (fields: Record<string, unknown>): HistoryEvent =>
  temporal.api.history.v1.HistoryEvent.fromObject(fields);

const DUE = Date.parse('2026-12-04T12:00:00.000Z');
const input: DeliverWebhookInput = {
  eventId: 'e1',
  invocationId: 'inv-1',
  attempt: 1,
  webhook: 'https://example.com/hook',
  headers: [{ name: 'X-Token', valueFromEnv: 'TOKEN' }],
  body: {
    id: 'e1',
    scheduled_time: new Date(DUE).toISOString(),
    payload: { a: 1 },
    created_at: '2026-12-04T11:00:00Z',
  },
  timeoutSeconds: 60,
  notBefore: new Date(DUE).toISOString(),
  notAfter: new Date(DUE + 3_600_000).toISOString(),
};
const at = (ms: number) => ({ seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 });
/** The attempt's scheduling, 30 s before its instant, with `attemptInput`. */
const scheduledWith = (attemptInput: DeliverWebhookInput): HistoryEvent =>
  event({
    eventId: 5,
    eventTime: at(DUE - 30_000),
    activityTaskScheduledEventAttributes: {
      activityType: { name: 'deliverWebhook' },
      input: { payloads: [defaultPayloadConverter.toPayload(attemptInput)] },
    },
  });
const scheduled = scheduledWith(input);
const terminatedAt = (ms: number): HistoryEvent =>
  event({ eventId: 9, eventTime: at(ms), workflowExecutionTerminatedEventAttributes: { reason: 'operator' } });

describe('attemptsFromHistory', () => {
  it('reads each completed attempt from its result', () => {
    const record = { id: 'inv-1', attempt: 1, success: true, status: 200 } as AttemptRecord;
    const completed = event({
      eventId: 7,
      activityTaskCompletedEventAttributes: {
        scheduledEventId: 5,
        result: { payloads: [defaultPayloadConverter.toPayload({ kind: 'attempted', record })] },
      },
    });
    expect(attemptsFromHistory({ events: [scheduled, completed] })).toEqual([record]);
  });

  it('lists nothing for an attempt a terminate stopped before it could be cleared to call', () => {
    expect(attemptsFromHistory({ events: [scheduled, terminatedAt(DUE - 5000)] })).toEqual([]);
  });

  it('lists an attempt a terminate cut off after it could be cleared, with its request and an unknown outcome', () => {
    const [record] = attemptsFromHistory({ events: [scheduled, terminatedAt(DUE - 50)] });
    expect(record).toMatchObject({
      id: 'inv-1',
      eventId: 'e1',
      attempt: 1,
      status: null,
      success: false,
      createdAt: input.notBefore,
      request: { body: input.body, headers: input.headers },
      response: { type: 'client_error', message: TERMINATED_IN_FLIGHT_MESSAGE },
    });
  });

  it("counts from a burst attempt's own clearance limit, not the lone attempt's", () => {
    const burstScheduled = scheduledWith({ ...input, maxClearanceLeadMs: 12_000 });
    // 5 s before its instant a lone attempt cannot have been cleared; this one could.
    const [record] = attemptsFromHistory({ events: [burstScheduled, terminatedAt(DUE - 5000)] });
    expect(record).toMatchObject({ id: 'inv-1', status: null, response: { message: TERMINATED_IN_FLIGHT_MESSAGE } });
    expect(attemptsFromHistory({ events: [burstScheduled, terminatedAt(DUE - 13_000)] })).toEqual([]);
  });

  it('does not list an open attempt when the workflow was not terminated (it is still running)', () => {
    expect(attemptsFromHistory({ events: [scheduled] })).toEqual([]);
  });

  it('lists an attempt whose worker was lost after it could be cleared, when the server did not run it again', () => {
    const timedOut = (ms: number, startedEventId: number) =>
      event({
        eventId: 8,
        eventTime: at(ms),
        activityTaskTimedOutEventAttributes: { scheduledEventId: 5, startedEventId },
      });
    const [record] = attemptsFromHistory({ events: [scheduled, timedOut(DUE + 10_000, 7)] });
    expect(record).toMatchObject({ id: 'inv-1', status: null, response: { message: LOST_IN_FLIGHT_MESSAGE } });
    // Never started (cancelled or timed out before any worker took it): no call can have been made.
    expect(attemptsFromHistory({ events: [scheduled, timedOut(DUE + 10_000, 0)] })).toEqual([]);
  });

  it("lists an attempt cancelled without a result by the workflow's rule: only if cancelled once it could be cleared", () => {
    const cancelledAt = (taskStartedMs: number) => [
      scheduled,
      event({ eventId: 10, eventTime: at(taskStartedMs), workflowTaskStartedEventAttributes: {} }),
      event({
        eventId: 11,
        eventTime: at(taskStartedMs + 5),
        workflowTaskCompletedEventAttributes: { startedEventId: 10 },
      }),
      event({
        eventId: 12,
        eventTime: at(taskStartedMs + 5),
        activityTaskCancelRequestedEventAttributes: { scheduledEventId: 5, workflowTaskCompletedEventId: 11 },
      }),
      // The rerun of a lost worker's attempt had not started: the first run's outcome is unknown all the same.
      event({ eventId: 13, eventTime: at(DUE + 10_000), activityTaskCanceledEventAttributes: { scheduledEventId: 5 } }),
    ];
    // Cancelled before the attempt could be cleared: its clearance would have refused; nothing to list.
    expect(attemptsFromHistory({ events: cancelledAt(DUE - 5000) })).toEqual([]);
    const [record] = attemptsFromHistory({ events: cancelledAt(DUE - 1000) });
    expect(record).toMatchObject({ id: 'inv-1', status: null, response: { message: LOST_IN_FLIGHT_MESSAGE } });
  });

  it('lists an attempt whose rerun made no call, by the same rule: the run before it may have called', () => {
    const rerunCancelled = (completedMs: number, result: object) => [
      scheduled,
      event({
        eventId: 8,
        eventTime: at(completedMs),
        activityTaskCompletedEventAttributes: {
          scheduledEventId: 5,
          result: { payloads: [defaultPayloadConverter.toPayload(result)] },
        },
      }),
    ];
    const [record] = attemptsFromHistory({ events: rerunCancelled(DUE + 12_000, { kind: 'cancelled', rerun: true }) });
    expect(record).toMatchObject({ id: 'inv-1', status: null, response: { message: RERUN_NOT_MADE_MESSAGE } });
    // Cancelled before it could be cleared, or the first run, which knows it made no call: nothing to list.
    expect(attemptsFromHistory({ events: rerunCancelled(DUE - 5000, { kind: 'cancelled', rerun: true }) })).toEqual([]);
    expect(attemptsFromHistory({ events: rerunCancelled(DUE + 12_000, { kind: 'cancelled' }) })).toEqual([]);
    // A rerun past the tolerance made no call either; the run before it may have.
    const [late] = attemptsFromHistory({
      events: rerunCancelled(DUE + 12_000, { kind: 'pastTolerance', rerun: true }),
    });
    expect(late).toMatchObject({ id: 'inv-1', status: null, response: { message: RERUN_NOT_MADE_MESSAGE } });
  });
});
