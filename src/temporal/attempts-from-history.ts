import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import type { AttemptRecord, DeliverWebhookInput, DeliverWebhookResult } from '../shared/event';
import { MAX_CLEARANCE_LEAD_MS } from '../shared/event';

type History = temporal.api.history.v1.IHistory;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** The activity type whose results are the invocation log. */
const DELIVER_ACTIVITY = 'deliverWebhook';

/** What an attempt cut off by a terminate records, since its own result never reached history. */
export const TERMINATED_IN_FLIGHT_MESSAGE =
  'the event was terminated (Temporal Web UI or CLI) after this attempt could be cleared to call; the call may have ' +
  'been made, and its outcome is unknown';

/** What an attempt whose worker was lost (or shut down) records when it was not run again. */
export const LOST_IN_FLIGHT_MESSAGE =
  "this attempt's worker was lost or shut down after the attempt could be cleared to call, and the event was " +
  'cancelled or out of time, so it was not run again; the call may have been made, and its outcome is unknown';

/**
 * Reads every webhook attempt from an event's workflow history: each attempt is one completed `deliverWebhook`
 * activity whose result holds the request and response (history is the record, no second database). Oldest first.
 *
 * Two ways leave an attempt without its result: a terminate from outside (Web UI, CLI), and a worker lost or shut
 * down when the server does not run the attempt again (the event was cancelled meanwhile, or out of time). If that
 * happened once the attempt could have been cleared to call (MAX_CLEARANCE_LEAD_MS before its instant), it may have
 * called: it is listed with no status and a message saying so, so that no call the service may have made is missing.
 */
export function attemptsFromHistory(history: History): AttemptRecord[] {
  const scheduled = new Map<string, HistoryEvent>();
  const closed = new Set<string>();
  const lost: { scheduledId: string; atMs: number }[] = [];
  const attempts: AttemptRecord[] = [];
  let terminatedAtMs: number | undefined;
  for (const event of history.events ?? []) {
    if (event.activityTaskScheduledEventAttributes?.activityType?.name === DELIVER_ACTIVITY) {
      scheduled.set(String(event.eventId), event);
    }
    const ended =
      event.activityTaskCompletedEventAttributes ??
      event.activityTaskFailedEventAttributes ??
      event.activityTaskTimedOutEventAttributes ??
      event.activityTaskCanceledEventAttributes;
    if (ended) closed.add(String(ended.scheduledEventId));
    // Started (the started event is written with the close) but no result: its worker was lost or shut down.
    const noResult =
      event.activityTaskFailedEventAttributes ??
      event.activityTaskTimedOutEventAttributes ??
      event.activityTaskCanceledEventAttributes;
    if (noResult && Number(noResult.startedEventId ?? 0) !== 0) {
      lost.push({ scheduledId: String(noResult.scheduledEventId), atMs: timeOf(event) });
    }
    if (event.workflowExecutionTerminatedEventAttributes) terminatedAtMs = timeOf(event);
    const completed = event.activityTaskCompletedEventAttributes;
    const payload = completed?.result?.payloads?.[0];
    if (!completed || !payload || !scheduled.has(String(completed.scheduledEventId))) continue;
    const result = defaultPayloadConverter.fromPayload<DeliverWebhookResult>(payload);
    if (result.kind === 'attempted') attempts.push(result.record);
  }
  for (const { scheduledId, atMs } of lost) {
    const event = scheduled.get(scheduledId);
    const cutOff = event && cutOffAttempt(event, atMs, LOST_IN_FLIGHT_MESSAGE);
    if (cutOff !== undefined) attempts.push(cutOff);
  }
  if (terminatedAtMs !== undefined) {
    for (const [id, event] of scheduled) {
      if (closed.has(id)) continue;
      const cutOff = cutOffAttempt(event, terminatedAtMs, TERMINATED_IN_FLIGHT_MESSAGE);
      if (cutOff !== undefined) attempts.push(cutOff);
    }
  }
  return attempts.sort((a, b) => a.attempt - b.attempt);
}

/** The record of an attempt cut off at `endedAtMs` without its result, if it could have called by then. */
function cutOffAttempt(event: HistoryEvent, endedAtMs: number, message: string): AttemptRecord | undefined {
  const payload = event.activityTaskScheduledEventAttributes?.input?.payloads?.[0];
  if (!payload) return undefined;
  const input = defaultPayloadConverter.fromPayload<DeliverWebhookInput>(payload);
  const notBeforeMs = Date.parse(input.notBefore);
  if (!(endedAtMs >= notBeforeMs - MAX_CLEARANCE_LEAD_MS)) return undefined;
  return {
    id: input.invocationId,
    eventId: input.eventId,
    attempt: input.attempt,
    createdAt: input.notBefore,
    durationMs: 0,
    success: false,
    status: null,
    request: { body: input.body, headers: input.headers },
    response: { type: 'client_error', message, bodyTruncated: false },
    retryAfterSeconds: null,
  };
}

function timeOf(event: HistoryEvent): number {
  const { seconds, nanos } = event.eventTime ?? {};
  return Number(seconds ?? 0) * 1000 + Math.floor((nanos ?? 0) / 1e6);
}
