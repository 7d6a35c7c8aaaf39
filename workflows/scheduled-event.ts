import {
  ActivityCancellationType,
  ActivityFailure,
  CancellationScope,
  condition,
  isCancellation,
  patched,
  proxyActivities,
  proxySinks,
  setCurrentDetails,
  setHandler,
  sleep,
  upsertMemo,
  upsertSearchAttributes,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { createActivities } from '../activities';
import type {
  AttemptRecord,
  EventDefinition,
  EventPatch,
  EventStatus,
  FailureReport,
  ScheduledEventInput,
  WebhookBody,
} from '../src/shared/event';
import {
  applyPatch,
  budgetedRetries,
  EVENT_PATCH_FIELDS,
  FAILURE_REPORT_RESPONSE_CHARS,
  FAILURE_WEBHOOK_ATTEMPTS,
  FAILURE_WEBHOOK_RETRY_INTERVAL_SECONDS,
  FAILURE_WEBHOOK_TIMEOUT_SECONDS,
  FINAL_CANCEL_REVISION,
  FINAL_STATUSES,
  historyBudgetExceeded,
  clearanceLimitMs,
  projectedPayloadHistoryBytes,
  recordedLength,
} from '../src/shared/event';
import { cancelSignal, editUpdate, type EventOutcomeSinks, type EventState, type HeldAttemptSinks } from './messages';
import { EVENT_NEXT_RETRY_AT, EVENT_STATUS, EVENT_TIME, EVENT_TRIES, MEMO_DEFINITION } from './storage-schema';

type Activities = ReturnType<typeof createActivities>;

/** See the `refused` check after an attempt. */
const REFUSED_IS_FINAL_PATCH = 'refused-attempt-is-final';

/** See the `rerun` check after an attempt. */
const CANCELLED_RERUN_PATCH = 'cancelled-rerun-may-follow-a-call';

/** Marks histories where an ending called the event's failure webhook (events created with one). */
const FAILURE_WEBHOOK_PATCH = 'failure-webhook';

/** How long past its first attempt the failure webhook may still be tried (well beyond its 3 attempts). */
const FAILURE_WEBHOOK_WINDOW_MS = 10 * 60_000;

/** Events created before attempts were prepared ahead (no `prepareAheadMs` in their input) wake this early. */
const LEGACY_EARLY_WAKE_MS = 1000;

/** Slack on top of an attempt's own budget (hold + HTTP timeout) before the server declares the worker lost. */
const ACTIVITY_GRACE_MS = 10_000;

/** A worker that stops heartbeating for this long is considered lost; its attempt runs again elsewhere. */
const HEARTBEAT_TIMEOUT_MS = 10_000;

/**
 * Server-side activity retries exist only for lost workers: the activity returns a record for every webhook
 * outcome and throws only when its worker died or broke, so a retry is the same attempt run again
 * (at-least-once), never a second webhook attempt. Bounded in time by the tolerance deadline.
 */
const LOST_WORKER_RETRY = { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10s' } as const;

/** Edits are refused past this projected history size, safely under Temporal's 50 MB termination limit. */
const HISTORY_SIZE_GUARD_BYTES = 45 * 1024 * 1024;

/** What the workflow returns: how the event ended. */
export interface EventOutcome {
  status: EventStatus;
  tries: number;
}

/**
 * One scheduled event: sleep until its time, check tolerance, make attempts as `retryConf` says, one activity
 * execution per attempt, so that workflow history is the record of every attempt (docs/contract.md §1).
 */
export async function scheduledEventWorkflow(input: ScheduledEventInput): Promise<EventOutcome> {
  let definition = input.definition;
  let status: EventStatus = 'scheduled';
  let tries = 0;
  let nextRetryAt: string | null = null;
  let cancelRequested = false;
  /** Bumped by each edit, so a pending wait re-reads the due time. */
  let edits = 0;
  // A Temporal cancel request is the event's cancel, and a call in flight when it comes decides the outcome; older
  // events keep the `cancel` signal as their only cancel, so that their histories replay.
  const cancelIsFinal = (input.revision ?? 1) >= FINAL_CANCEL_REVISION;
  const root = CancellationScope.current();
  // Prepared ahead (the held attempt is cancelled through a sink and does not heartbeat) only when the input says so.
  const preparesAhead = input.prepareAheadMs !== undefined;
  const prepareAheadMs = input.prepareAheadMs ?? LEGACY_EARLY_WAKE_MS;
  /**
   * The event's burst clearance lead while it keeps the due time it was created with (an edit of the time takes it
   * out of its burst). Its retries keep it: a burst that fails together retries together.
   */
  let burstClearanceLeadMs = input.maxClearanceLeadMs;
  /** The attempt holding before its due instant (it has not called the webhook yet), while there is one. */
  let held: { scope: CancellationScope; dueMs: number; invocationId: string } | null = null;
  const { heldAttempts, eventOutcomes } = proxySinks<HeldAttemptSinks & EventOutcomeSinks>();

  const state = (): EventState => ({ definition, status, tries, nextRetryAt });

  const setStatus = (next: EventStatus, nextRetry: string | null = null): void => {
    status = next;
    nextRetryAt = nextRetry;
    upsertSearchAttributes([
      { key: EVENT_STATUS, value: status },
      { key: EVENT_TRIES, value: tries },
      { key: EVENT_NEXT_RETRY_AT, value: nextRetry === null ? null : new Date(nextRetry) },
    ]);
    setCurrentDetails(describeState(state()));
  };

  /** Workflow time at which the cancel was first seen here (it was recorded on the server no later). */
  let cancelSeenAtMs = Number.POSITIVE_INFINITY;
  const onCancel = (): void => {
    cancelRequested = true;
    cancelSeenAtMs = Math.min(cancelSeenAtMs, Date.now());
    // A held attempt has not called yet: stop it. One already calling finishes and is logged (the activity ignores
    // a cancel request once its call has started). Not for older events, so that their histories replay.
    if (held !== null && Date.now() < held.dueMs && preparesAhead) {
      // At once, when the attempt holds on this worker (it does not heartbeat, so the server cannot tell it).
      heldAttempts.cancel(held.invocationId);
      // Through the server: cancels an attempt no worker has started yet (e.g. all slots busy).
      held.scope.cancel();
    }
  };
  setHandler(cancelSignal, onCancel);
  // The root scope's cancel already reaches the attempt through the server (it is a child scope); onCancel also
  // stops it at once when it holds on this worker, and records that the event, not a worker, was cancelled.
  if (cancelIsFinal) root.cancelRequested.catch(onCancel);
  setHandler(
    editUpdate,
    (patch) => {
      const before = definition.scheduledTime;
      definition = applyPatch(definition, patch);
      if (definition.scheduledTime !== before) burstClearanceLeadMs = undefined;
      edits++;
      upsertMemo({ [MEMO_DEFINITION]: definition });
      upsertSearchAttributes([{ key: EVENT_TIME, value: new Date(definition.scheduledTime) }]);
      setCurrentDetails(describeState(state()));
      return state();
    },
    {
      validator: (patch: EventPatch) => {
        // The API sends only these; an Update from elsewhere (CLI, Web UI) may not add fields such as failureWebhook.
        const allowed: readonly string[] = EVENT_PATCH_FIELDS;
        const unknown = Object.keys(patch).filter((key) => !allowed.includes(key));
        if (unknown.length > 0) throw new Error(`an edit cannot change ${unknown.join(', ')}`);
        if (cancelRequested || FINAL_STATUSES.includes(status)) throw new Error(`event is already ${status}`);
        if (cancelIsFinal && root.consideredCancelled) throw new Error('the event is being cancelled');
        if (tries > 0 || status !== 'scheduled') {
          throw new Error(`an attempt is already prepared or made (events lock ${prepareAheadMs / 1000} s before due)`);
        }
        // Each edit records the patch in history (the update's input, the memo, the result); past Temporal's 50 MB
        // history limit the workflow would be terminated, so refuse an edit that would leave too little room for
        // the attempts still to come. String length is a close enough proxy for bytes here.
        const edited = applyPatch(definition, patch);
        const payloadBytes = recordedLength(edited);
        // The create rule on the edited definition, checked here because only here is it the event's own.
        const retries = budgetedRetries(edited.retryConf.numRetries, edited.failureWebhook);
        if (historyBudgetExceeded(payloadBytes, retries)) {
          throw new Error("with this edit, payload size x attempts would outgrow the event's workflow history");
        }
        const projected =
          workflowInfo().historySize +
          3 * JSON.stringify(patch).length +
          projectedPayloadHistoryBytes(payloadBytes, retries);
        if (projected > HISTORY_SIZE_GUARD_BYTES) {
          throw new Error("this edit would outgrow the event's workflow history; create a new event instead");
        }
      },
    },
  );

  /**
   * Waits until `dueMs` minus the early-wake margin; false when cancelled first. Re-reads the due time
   * after an edit, which is why the target is a function.
   */
  const waitUntil = async (dueMs: () => number): Promise<boolean> => {
    for (;;) {
      const seen = edits;
      const waitMs = dueMs() - prepareAheadMs - Date.now();
      if (cancelRequested) return false;
      if (waitMs <= 0) return true;
      // Date.now() is replay-safe here: it is the workflow task's time.
      const interrupted = await condition(() => cancelRequested || edits !== seen, waitMs);
      if (!interrupted) return true;
    }
  };

  /** The last attempt made, and why the event ended: what the failure webhook is told. */
  let lastRecord: AttemptRecord | null = null;
  /** The highest attempt number given out (an attempt cut off without a result is not in `tries`). */
  let lastAttemptNumber = 0;
  let endReason = '';
  const finish = (final: EventStatus, reason = ''): EventOutcome => {
    endReason = reason;
    setStatus(final);
    // A sink call is not recorded in history: histories from before it replay unchanged.
    eventOutcomes.ended(final);
    return { status: final, tries };
  };

  const outcome = await runAttempts();
  // The failure webhook, once per ending (docs/contract.md §2): only events created with one (none before this
  // version, so their histories replay without the marker). Not cancellable: the event has ended, and the report
  // is owed whatever comes next.
  const failureWebhook = definition.failureWebhook;
  if ((outcome.status === 'error' || outcome.status === 'dead') && failureWebhook !== undefined) {
    if (patched(FAILURE_WEBHOOK_PATCH)) {
      const report: FailureReport = {
        status: outcome.status,
        reason: endReason,
        tries,
        last_attempt: lastRecord === null ? null : lastAttemptOf(lastRecord),
      };
      await CancellationScope.nonCancellable(() => callFailureWebhook(failureWebhook, report));
    }
  }
  return outcome;

  /** At most FAILURE_WEBHOOK_ATTEMPTS attempts, FAILURE_WEBHOOK_RETRY_INTERVAL_SECONDS apart; never more. */
  async function callFailureWebhook(webhook: string, report: FailureReport): Promise<void> {
    const notAfter = new Date(Date.now() + FAILURE_WEBHOOK_WINDOW_MS).toISOString();
    for (let n = 1; n <= FAILURE_WEBHOOK_ATTEMPTS; n++) {
      const { deliverWebhook } = proxyActivities<Activities>({
        startToCloseTimeout: FAILURE_WEBHOOK_TIMEOUT_SECONDS * 1000 + ACTIVITY_GRACE_MS,
        scheduleToCloseTimeout: FAILURE_WEBHOOK_WINDOW_MS,
        heartbeatTimeout: HEARTBEAT_TIMEOUT_MS,
        retry: LOST_WORKER_RETRY,
        summary: `failure webhook, attempt ${n} of ${FAILURE_WEBHOOK_ATTEMPTS}`,
      });
      let result;
      try {
        result = await deliverWebhook({
          eventId: input.id,
          messageId: `${input.id}.failure`,
          failureCallback: true,
          invocationId: uuid4(),
          // Numbered after the event's own attempts (any cut off included), so that listings keep them in order.
          attempt: lastAttemptNumber + n,
          webhook,
          // Not the event's headers: they are for its own webhook (an Authorization there must not go elsewhere).
          headers: [],
          body: { ...webhookBody(input.id, input.createdAt, definition), failure: report },
          timeoutSeconds: FAILURE_WEBHOOK_TIMEOUT_SECONDS,
          notBefore: new Date(Date.now()).toISOString(),
          notAfter,
        });
      } catch (err) {
        // No worker could run it within its window: nothing more to try.
        if (err instanceof ActivityFailure) return;
        throw err;
      }
      if (result.kind !== 'attempted' || result.record.success || result.record.refused) return;
      if (n < FAILURE_WEBHOOK_ATTEMPTS) await sleep(FAILURE_WEBHOOK_RETRY_INTERVAL_SECONDS * 1000);
    }
  }

  async function runAttempts(): Promise<EventOutcome> {
    try {
      setCurrentDetails(describeState(state()));
      if (!(await waitUntil(() => Date.parse(definition.scheduledTime)))) return finish('cancelled');

      let dueMs = Date.parse(definition.scheduledTime);
      for (;;) {
        const { retryConf } = definition;
        const deadlineMs = Date.parse(definition.scheduledTime) + retryConf.toleranceSeconds * 1000;
        // Tolerance is checked before every attempt, against schedule_at (Hasura's rule): strictly later is dead.
        if (Math.max(dueMs, Date.now()) > deadlineMs) {
          return finish(
            'dead',
            `no attempt could start within tolerance_seconds (${retryConf.toleranceSeconds}) of schedule_at`,
          );
        }

        setStatus('locked');
        const attempt = tries + 1;
        lastAttemptNumber = attempt;
        const budgetMs = Math.max(dueMs - Date.now(), 0) + retryConf.timeoutSeconds * 1000 + ACTIVITY_GRACE_MS;
        const { deliverWebhook } = proxyActivities<Activities>({
          startToCloseTimeout: budgetMs,
          scheduleToCloseTimeout: Math.max(deadlineMs - Date.now(), 0) + budgetMs,
          // The activity heartbeats while its call runs, so a dead worker is noticed in seconds, not after the whole
          // attempt budget. It does not heartbeat while it holds (a heartbeat is a server write), so the timeout
          // covers the hold: a worker lost while holding is noticed 10 s after the due instant.
          heartbeatTimeout: (preparesAhead ? Math.max(dueMs - Date.now(), 0) : 0) + HEARTBEAT_TIMEOUT_MS,
          retry: LOST_WORKER_RETRY,
          // A cancelled held attempt reports back (it never called), so the workflow knows for sure no call was made.
          cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
          summary: `attempt ${attempt} of ${retryConf.numRetries + 1}`,
        });

        let result;
        // What this attempt is told, and what the rule below reckons with: the same value.
        const maxClearanceLeadMs = burstClearanceLeadMs;
        const scope = new CancellationScope();
        const invocationId = uuid4();
        held = { scope, dueMs, invocationId };
        /**
         * Cancelled, and an activity execution that may have been cleared to call (the cancel came after the
         * clearance window) ended without a result: a call may have been made and its outcome is unknown (the
         * invocations say so), which is not a plain `cancelled`.
         */
        const cancelledAfterClearance = (): EventOutcome => {
          if (cancelSeenAtMs < dueMs - clearanceLimitMs(maxClearanceLeadMs)) return finish('cancelled');
          tries = attempt;
          return finish('error', 'cancelled after its attempt could have called: the outcome of that call is unknown');
        };
        try {
          result = await scope.run(() =>
            deliverWebhook({
              eventId: input.id,
              invocationId,
              attempt,
              webhook: definition.webhook,
              headers: definition.headers,
              body: webhookBody(input.id, input.createdAt, definition),
              timeoutSeconds: retryConf.timeoutSeconds,
              notBefore: new Date(dueMs).toISOString(),
              notAfter: new Date(deadlineMs).toISOString(),
              ...(maxClearanceLeadMs !== undefined && { maxClearanceLeadMs }),
            }),
          );
        } catch (err) {
          // Cancelled, and the attempt came back without a result (not started yet, or its worker was lost or shut
          // down): nothing more will call.
          if (cancelIsFinal && cancelRequested && err instanceof ActivityFailure) return cancelledAfterClearance();
          // Our cancel stopped a held attempt: no call was made.
          if (cancelRequested && isCancellation(err)) return finish('cancelled');
          // The activity only fails when no worker could run it before the tolerance deadline (or a bug kept
          // failing it until then): no webhook call was recorded, so the event is dead, not errored.
          if (err instanceof ActivityFailure)
            return finish('dead', 'no worker could make the attempt before the tolerance deadline');
          throw err;
        } finally {
          held = null;
        }
        // A rerun made no call, but the execution before it ended without a result, perhaps mid-call: once the event
        // is cancelled, the same rule as an attempt that came back without one. The patch marks histories where this
        // rule decided; results before it never carry `rerun`.
        if (result.kind !== 'attempted' && result.rerun === true && cancelIsFinal) {
          const cancelled = result.kind === 'cancelled' || cancelRequested;
          if (cancelled && patched(CANCELLED_RERUN_PATCH)) return cancelledAfterClearance();
        }
        if (result.kind === 'pastTolerance')
          return finish('dead', 'the attempt would have started after the tolerance deadline');
        if (result.kind === 'cancelled') return finish('cancelled');

        tries = attempt;
        lastRecord = result.record;
        if (result.record.success) return finish('delivered');
        // The service refused the call (a forbidden destination or env name): every retry would be refused too, and
        // no call was made, so a cancel that came meanwhile ends the event as cancelled. The patch marks histories
        // where this rule decided; records before it never carry `refused`.
        if (result.record.refused && patched(REFUSED_IS_FINAL_PATCH))
          return finish(
            cancelRequested ? 'cancelled' : 'error',
            'the service refused the call (its destination or env)',
          );
        if (tries > retryConf.numRetries)
          return finish('error', `every attempt failed (${tries} of ${retryConf.numRetries + 1})`);
        // The call was in flight when the cancel came: the event ends with its outcome, not as plainly cancelled.
        if (cancelRequested)
          return finish(cancelIsFinal ? 'error' : 'cancelled', 'cancelled while its call was under way, which failed');

        // Retry-After replaces the interval but never adds attempts (a deliberate difference from Hasura).
        const delaySeconds = result.record.retryAfterSeconds ?? retryConf.retryIntervalSeconds;
        dueMs = Date.now() + delaySeconds * 1000;
        // A retry that would start past the tolerance deadline makes the event dead now rather than later.
        if (dueMs > deadlineMs) return finish('dead', 'the next retry would start after the tolerance deadline');
        setStatus('scheduled', new Date(dueMs).toISOString());
        const retryAt = dueMs;
        if (!(await waitUntil(() => retryAt))) return finish('cancelled');
      }
    } catch (err) {
      // A cancel from the Temporal UI or CLI (rather than our signal) ends the event the same way.
      if (isCancellation(err)) return finish('cancelled');
      throw err;
    }
  }
}

/** The last attempt, as the failure report repeats it: its status, when, and the start of what came back. */
function lastAttemptOf(record: AttemptRecord): NonNullable<FailureReport['last_attempt']> {
  const { response } = record;
  const text = response.type === 'webhook_response' ? response.body : response.message;
  return {
    status: record.status,
    created_at: record.createdAt,
    response: text.slice(0, FAILURE_REPORT_RESPONSE_CHARS),
  };
}

/** The webhook body (docs/contract.md §2): `comment` omitted when unset, `payload` always present. */
function webhookBody(id: string, createdAt: string, definition: EventDefinition): WebhookBody {
  return {
    id,
    scheduled_time: definition.scheduledTime,
    payload: definition.payload,
    ...(definition.comment === null ? {} : { comment: definition.comment }),
    created_at: createdAt,
  };
}

/** Markdown shown as the workflow's current details in the Temporal Web UI. */
function describeState({ status, tries, nextRetryAt, definition }: EventState): string {
  const lines = [`**${status}** · tries: ${tries} of ${definition.retryConf.numRetries + 1}`];
  if (nextRetryAt !== null) lines.push(`next retry at ${nextRetryAt}`);
  return lines.join('\n\n');
}
