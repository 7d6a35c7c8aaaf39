import { defaultPayloadConverter, type Payload, type PayloadCodec } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import type { AttemptRecord, DeliverWebhookInput, DeliverWebhookResult } from '../shared/event';
import { clearanceLimitMs } from '../shared/event';

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

/** What an attempt records when a run of it ended without a result, and its rerun made no call. */
export const RERUN_NOT_MADE_MESSAGE =
  'a run of this attempt ended without a result (its worker was lost or shut down, or it failed) after the attempt ' +
  'could be cleared to call, and its rerun made no call (the event was cancelled, or past its tolerance); the ' +
  'earlier run may have made the call, and its outcome is unknown';

/**
 * Reads every webhook attempt from an event's workflow history: each attempt is one completed `deliverWebhook`
 * activity whose result holds the request and response (history is the record, no second database). Oldest first.
 *
 * Some attempts end without their result, and may still have called: it is listed with no status and a message
 * saying so, so that no call the service may have made is missing. Which, with T its instant and L =
 * clearanceLimitMs of its input (the earliest before T it may be cleared to call):
 * - cancelled without a result (its worker was lost or shut down, or a lost worker's rerun had not started), when
 *   the workflow task that cancelled it started at or after T - L: the workflow's own rule (it then ends the event
 *   `error`, workflows/scheduled-event.ts), since a cancel before T - L is seen by the attempt's clearance;
 * - failed or timed out without a result and without a cancel (its worker was lost and time ran out), once started
 *   and ended at or after T - L;
 * - left open by a terminate from outside (Web UI, CLI) at or after T - L;
 * - run again after a run that ended without a result, when the rerun made no call (its result is `cancelled` or
 *   `pastTolerance` with `rerun`), unless a cancel was seen before T - L: the workflow's rule again.
 */
export function attemptsFromHistory(history: History): AttemptRecord[] {
  const scheduled = new Map<string, HistoryEvent>();
  const closed = new Set<string>();
  const lost: { scheduledId: string; atMs: number; message: string }[] = [];
  /** Workflow task started times, by the id of the task's completed event (what a cancel command points at). */
  const taskStartedAt = new Map<string, number>();
  const startedAt = new Map<string, number>();
  /** When the workflow task that asked to cancel each attempt started (its `Date.now()`), by scheduled id. */
  const cancelSeenAt = new Map<string, number>();
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
    if (event.workflowTaskStartedEventAttributes) startedAt.set(String(event.eventId), timeOf(event));
    const taskCompleted = event.workflowTaskCompletedEventAttributes;
    if (taskCompleted) {
      const started = startedAt.get(String(taskCompleted.startedEventId));
      if (started !== undefined) taskStartedAt.set(String(event.eventId), started);
    }
    const cancelAsked = event.activityTaskCancelRequestedEventAttributes;
    if (cancelAsked) {
      const at = taskStartedAt.get(String(cancelAsked.workflowTaskCompletedEventId)) ?? timeOf(event);
      cancelSeenAt.set(String(cancelAsked.scheduledEventId), at);
    }
    const cancelled = event.activityTaskCanceledEventAttributes;
    if (cancelled) {
      const id = String(cancelled.scheduledEventId);
      lost.push({ scheduledId: id, atMs: cancelSeenAt.get(id) ?? timeOf(event), message: LOST_IN_FLIGHT_MESSAGE });
    }
    // No result: by the cancel's rule if it was cancelled; else if it started (the started event is written with the
    // close), its worker was lost.
    const noResult = event.activityTaskFailedEventAttributes ?? event.activityTaskTimedOutEventAttributes;
    if (noResult) {
      const id = String(noResult.scheduledEventId);
      const cancelAt = cancelSeenAt.get(id);
      if (cancelAt !== undefined) lost.push({ scheduledId: id, atMs: cancelAt, message: LOST_IN_FLIGHT_MESSAGE });
      else if (Number(noResult.startedEventId ?? 0) !== 0)
        lost.push({ scheduledId: id, atMs: timeOf(event), message: LOST_IN_FLIGHT_MESSAGE });
    }
    if (event.workflowExecutionTerminatedEventAttributes) terminatedAtMs = timeOf(event);
    const completed = event.activityTaskCompletedEventAttributes;
    const payload = completed?.result?.payloads?.[0];
    if (!completed || !payload || !scheduled.has(String(completed.scheduledEventId))) continue;
    const result = defaultPayloadConverter.fromPayload<DeliverWebhookResult>(payload);
    if (result.kind === 'attempted') attempts.push(result.record);
    // A cancel was seen by the workflow no earlier than its cancel request to the attempt, or than this result when
    // it made none; a rerun runs once the instant has come, so without a cancel it is always listed.
    const id = String(completed.scheduledEventId);
    if (result.kind !== 'attempted' && result.rerun === true) {
      lost.push({ scheduledId: id, atMs: cancelSeenAt.get(id) ?? timeOf(event), message: RERUN_NOT_MADE_MESSAGE });
    }
  }
  for (const { scheduledId, atMs, message } of lost) {
    const event = scheduled.get(scheduledId);
    const cutOff = event && cutOffAttempt(event, atMs, message);
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
  if (!(endedAtMs >= notBeforeMs - clearanceLimitMs(input.maxClearanceLeadMs))) return undefined;
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
    ...(input.failureCallback ? { failureCallback: true as const } : {}),
  };
}

/**
 * Runs the payloads this module reads (the `deliverWebhook` inputs and results) through the client's codecs, in
 * place, as the SDK does for what it decodes itself: with PAYLOAD_ENCRYPTION_KEYS they are sealed in history. A raw
 * history from `fetchHistory()` is not decoded by the SDK.
 */
export async function decodeAttemptPayloads(history: History, codecs: readonly PayloadCodec[]): Promise<History> {
  if (codecs.length === 0) return history;
  const decode = async (payloads: Payload[]): Promise<Payload[]> => {
    let decoded = payloads;
    for (const codec of [...codecs].reverse()) decoded = await codec.decode(decoded);
    return decoded;
  };
  const deliverIds = new Set<string>();
  for (const event of history.events ?? []) {
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled?.activityType?.name === DELIVER_ACTIVITY) {
      deliverIds.add(String(event.eventId));
      if (scheduled.input?.payloads) scheduled.input.payloads = await decode(scheduled.input.payloads);
    }
    const completed = event.activityTaskCompletedEventAttributes;
    if (completed?.result?.payloads && deliverIds.has(String(completed.scheduledEventId))) {
      completed.result.payloads = await decode(completed.result.payloads);
    }
  }
  return history;
}

function timeOf(event: HistoryEvent): number {
  const { seconds, nanos } = event.eventTime ?? {};
  return Number(seconds ?? 0) * 1000 + Math.floor((nanos ?? 0) / 1e6);
}
