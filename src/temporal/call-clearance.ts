import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { AttemptRef, CallClearance } from '../shared/event';
import { FifoSlots } from './fifo-slots';
import { GrpcStatus, grpcCause } from './to-domain-error';

const { WorkflowExecutionStatus, PendingActivityState } = temporal.api.enums.v1;

/** Longest wait for the server's answer; without one there is no call, and the attempt fails to be run again. */
const CLEARANCE_TIMEOUT_MS = 5000;

/**
 * Asks the server whether a held attempt may still call its webhook: one DescribeWorkflowExecution, a read (no
 * history write), made by the activity shortly before its instant (activities/deliver-webhook.ts, clearanceLeadMs in src/shared/event.ts).
 *
 * - `gone`: the run has ended (terminated from the Web UI or CLI, or finished), or this activity execution is no
 *   longer the attempt's current one (the server gave up on it and runs the attempt again elsewhere);
 * - `cancelled`: the event's workflow or this attempt has a cancel request (the API's cancel is a workflow cancel
 *   request, so it counts from the moment it is recorded, before any worker has processed it);
 * - `call` otherwise.
 *
 * A gRPC failure rejects: no call is made without the server's word, and the server runs the attempt again.
 */
export async function callClearance(client: Client, attempt: AttemptRef): Promise<CallClearance> {
  const { workflowExecutionInfo, workflowExtendedInfo, pendingActivities } = await client.withDeadline(
    Date.now() + CLEARANCE_TIMEOUT_MS,
    () =>
      client.workflowService.describeWorkflowExecution({
        namespace: client.options.namespace,
        execution: { workflowId: attempt.workflowId, runId: attempt.runId },
      }),
  );
  if (workflowExecutionInfo?.status !== WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) return 'gone';
  if (workflowExtendedInfo?.cancelRequested) return 'cancelled';
  const pending = pendingActivities?.find((a) => a.activityId === attempt.activityId);
  if (pending === undefined || (pending.attempt ?? 1) !== attempt.activityAttempt) return 'gone';
  return pending.state === PendingActivityState.PENDING_ACTIVITY_STATE_CANCEL_REQUESTED ? 'cancelled' : 'call';
}

/**
 * Records a heartbeat for an attempt about to call, and waits for the server's answer. A `call` answer means the
 * server had not timed the attempt out when it recorded this heartbeat, and counts its heartbeat timeout afresh from
 * then: the call may start without the attempt being run again meanwhile. A write, so it is only for an attempt
 * whose clearance came too close to that timeout (activities/deliver-webhook.ts); a burst's others call without it.
 *
 * - `gone`: this activity execution is no longer the attempt's current one (the server timed it out and runs it
 *   again), the run has ended, or the attempt was paused or reset from the Web UI or CLI;
 * - `cancelled`: the attempt has a cancel request (the event's cancel);
 * - `call` otherwise.
 *
 * A gRPC failure other than NOT_FOUND rejects: the heartbeat may not have been recorded, so no call is made.
 */
export async function heartbeatForCall(
  client: Client,
  taskToken: Uint8Array,
  deadlineMs = Number.POSITIVE_INFINITY,
): Promise<CallClearance> {
  try {
    const answer = await client.withDeadline(Math.min(Date.now() + CLEARANCE_TIMEOUT_MS, deadlineMs), () =>
      client.workflowService.recordActivityTaskHeartbeat({
        namespace: client.options.namespace,
        taskToken,
        identity: client.options.identity,
      }),
    );
    if (answer.cancelRequested) return 'cancelled';
    return answer.activityPaused || answer.activityReset ? 'gone' : 'call';
  } catch (error) {
    if (grpcCause(error)?.code === GrpcStatus.NOT_FOUND) return 'gone';
    throw error;
  }
}

/**
 * Questions one worker has with the server at once. A burst asks them within its clearance leads (at most 2 s
 * before the instant; up to 20 s in a large burst, spread by the events' ranks), and the dev server answers about a
 * thousand a second: 10,000 asked at once waited for their answers past the 5 s timeout, failed, and were run
 * again one by one, which made a burst of 10,000 drain in 115 s
 * (bench/PERFORMANCE.md "Delayed start, bursts prepared earlier"). Queued here instead, each is answered within
 * moments once sent, in the order asked. Asking later than the lead is always safe: it only lets a later cancel win.
 */
const MAX_CLEARANCE_QUESTIONS_IN_FLIGHT = 64;

/**
 * `callClearance` with at most `maxInFlight` questions at the server at once; the rest wait their turn, in order. A
 * question whose attempt stops holding while it waits (`signal`: cancelled, shut down) leaves the line unasked.
 */
export function queuedCallClearance(
  maxInFlight = MAX_CLEARANCE_QUESTIONS_IN_FLIGHT,
  ask: typeof callClearance = callClearance,
): (client: Client, attempt: AttemptRef, signal?: AbortSignal) => Promise<CallClearance> {
  const slots = new FifoSlots(maxInFlight);
  return (client, attempt, signal) => slots.run(() => ask(client, attempt), { signal });
}

/**
 * `heartbeatForCall` with at most `maxInFlight` at the server at once, as the clearance questions are: when a busy
 * server answers those late, many attempts have a heartbeat recorded together, and they come while it is busiest. One
 * still waiting at `deadlineMs` (too late to call after it) leaves the line unsent.
 */
export function queuedHeartbeatForCall(
  maxInFlight = MAX_CLEARANCE_QUESTIONS_IN_FLIGHT,
  record: typeof heartbeatForCall = heartbeatForCall,
): (
  client: Client,
  taskToken: Uint8Array,
  wait: { signal?: AbortSignal; deadlineMs?: number },
) => Promise<CallClearance> {
  const slots = new FifoSlots(maxInFlight);
  return (client, taskToken, { signal, deadlineMs }) =>
    slots.run(() => record(client, taskToken, deadlineMs), {
      signal,
      ...(deadlineMs !== undefined && {
        deadline: { at: deadlineMs, error: () => new Error('too late to call by the time its turn came') },
      }),
    });
}
