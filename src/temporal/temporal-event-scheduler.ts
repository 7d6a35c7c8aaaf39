import { randomUUID } from 'node:crypto';
import { type Client, WorkflowFailedError, type WorkflowHandle, WorkflowIdReusePolicy } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type {
  AttemptRecord,
  EventDefinition,
  EventPatch,
  EventStatus,
  ScheduledEvent,
  ScheduledEventInput,
} from '../shared/event';
import {
  compareAttemptOrder,
  EVENT_STATUSES,
  EVENT_WORKFLOW_REVISION,
  FINAL_CANCEL_REVISION,
  MAX_CLEARANCE_LEAD_MS,
} from '../shared/event';
import { CallInFlightError, EventConflictError, EventNotFoundError } from '../shared/errors';
import type {
  EventPage,
  EventScheduler,
  InvocationPage,
  InvocationsQuery,
  ListEventsQuery,
  Readiness,
} from '../shared/scheduler';
import { cancelSignal, editUpdate } from '../../workflows/messages';
import {
  EVENT_STATUS,
  EVENT_TIME,
  EVENT_TRIES,
  MEMO_CREATED_AT,
  MEMO_DEFINITION,
  MEMO_REVISION,
  type EventMemo,
} from '../../workflows/storage-schema';
import type { scheduledEventWorkflow } from '../../workflows';
import { attemptsFromHistory, decodeAttemptPayloads } from './attempts-from-history';
import { eventFromExecution } from './event-from-execution';
import { PrepareLead } from './prepare-lead';
import { startDelayOf } from './start-delay';
import { AttemptListing } from './attempt-listing';
import { EventListing } from './event-listing';
import { ListingSlots } from './listing-slots';
import { SharedReads } from './shared-reads';
import { MomentCache } from './moment-cache';
import { VisibilityCounts, type EventChange, type EventMark } from './visibility-counts';
import { toDomainError } from './to-domain-error';

/** The workflow type, as registered by the worker (the function's name). */
export const EVENT_WORKFLOW_TYPE = 'scheduledEventWorkflow';

/** Upper bound on one operation's Temporal calls, so a stuck server or missing worker turns into a 503. */
const DEFAULT_CALL_TIMEOUT_MS = 10_000;
/** After a cancel request, how long to wait for a worker to end the event before deciding without one. */
const CANCEL_SETTLE_MS = 1000;
/**
 * For events created before cancel was final: an attempt due further away than this has not asked for clearance yet
 * (at most MAX_CLEARANCE_LEAD_MS ahead), so a terminate now is final for it; the rest allows for clocks to differ.
 */
const CANCEL_SAFE_AHEAD_MS = MAX_CLEARANCE_LEAD_MS + 1000;
/** Recorded as the termination reason of a cancelled event (shown in the Temporal UI). */
const CANCEL_REASON = 'cancelled through the scheduled-events API';

export interface TemporalEventSchedulerOptions {
  client: Client;
  /** Task queue the worker polls. */
  taskQueue: string;
  /** Upper bound on one operation, in ms. (Default: 10,000) */
  callTimeoutMs?: number;
}

/**
 * The Temporal client layer: the only code that calls `client.workflow`. Each event is one workflow whose id is
 * the event id; listings read visibility (search attributes + memo), invocations read workflow history.
 */
export class TemporalEventScheduler implements EventScheduler {
  private readonly client: Client;
  private readonly taskQueue: string;
  private readonly callTimeoutMs: number;

  private readonly listing: EventListing;
  private readonly attemptListing: AttemptListing;
  private readonly listingSlots = new ListingSlots();
  /** Events due in the same second as many others are prepared earlier (./prepare-lead.ts). */
  private readonly prepareLead = new PrepareLead();
  /** Counts shared by listings; every change made here is reported to them, so a listing sees its own writes. */
  private readonly counts: VisibilityCounts;
  /** Window reads shared by listings for a moment; told of every change made here, like the counts. */
  private readonly reads: SharedReads;

  constructor(options: TemporalEventSchedulerOptions) {
    this.client = options.client;
    this.taskQueue = options.taskQueue;
    this.callTimeoutMs = options.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
    const counts = new VisibilityCounts(async (query) => (await this.client.workflow.count(query)).count);
    this.counts = counts;
    this.reads = new SharedReads();
    this.listing = new EventListing(this.client, counts, new MomentCache(), this.reads);
    this.attemptListing = new AttemptListing(
      this.client,
      (eventId) => this.attemptsOf(eventId),
      (query) => counts.get(query),
    );
  }

  async create(definition: EventDefinition, options: { eventId?: string } = {}): Promise<ScheduledEvent> {
    const id = options.eventId ?? randomUUID();
    const createdAtMs = Date.now();
    const dueMs = Date.parse(definition.scheduledTime);
    // Counted for the events after it only if it starts (a repeat of an idempotent create does not).
    const lead = this.prepareLead.take(dueMs, createdAtMs);
    const input: ScheduledEventInput = {
      id,
      createdAt: new Date(createdAtMs).toISOString(),
      definition,
      prepareAheadMs: lead.leadMs,
      revision: EVENT_WORKFLOW_REVISION,
      ...(lead.maxClearanceLeadMs !== undefined && { maxClearanceLeadMs: lead.maxClearanceLeadMs }),
    };
    const event: ScheduledEvent = {
      id,
      createdAt: input.createdAt,
      ...definition,
      status: 'scheduled',
      tries: 0,
      nextRetryAt: null,
    };
    await this.change(
      id,
      () =>
        this.client.workflow
          .start<typeof scheduledEventWorkflow>(EVENT_WORKFLOW_TYPE, {
            workflowId: id,
            taskQueue: this.taskQueue,
            args: [input],
            // An event id is never reused, even after its workflow has closed (a deleted event's id may be).
            workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
            memo: {
              [MEMO_DEFINITION]: definition,
              [MEMO_CREATED_AT]: input.createdAt,
              [MEMO_REVISION]: input.revision,
            } satisfies EventMemo,
            typedSearchAttributes: [
              { key: EVENT_STATUS, value: 'scheduled' },
              { key: EVENT_TIME, value: new Date(definition.scheduledTime) },
              { key: EVENT_TRIES, value: 0 },
            ],
            // Nothing runs for the event until its attempt is to be prepared (no workflow task, timer or cache entry).
            ...startDelayOf(dueMs, createdAtMs, input.prepareAheadMs),
            staticSummary: `POST ${definition.webhook} at ${definition.scheduledTime}`,
            staticDetails: definition.comment ?? undefined,
          })
          .catch((err: unknown) => {
            lead.release();
            throw err;
          }),
      () => ({ after: markOf(event) }),
    );
    return event;
  }

  async get(eventId: string): Promise<ScheduledEvent> {
    return this.call(eventId, async () => this.describe(this.client.workflow.getHandle(eventId)));
  }

  async list(query: ListEventsQuery): Promise<EventPage> {
    const statuses = query.statuses?.length ? query.statuses : EVENT_STATUSES.filter((s) => s !== 'cancelled');
    // The wait for a slot counts against the same deadline as the listing's queries.
    const deadline = Date.now() + this.callTimeoutMs;
    return this.listingSlots.run(deadline, () =>
      this.call(undefined, () => this.listing.page({ ...query, statuses }), deadline),
    );
  }

  async invocations(query: InvocationsQuery): Promise<InvocationPage> {
    if (query.eventId === undefined) {
      const deadline = Date.now() + this.callTimeoutMs;
      return this.listingSlots.run(deadline, () =>
        this.call(undefined, () => this.attemptListing.page(query), deadline),
      );
    }
    const eventId = query.eventId;
    const attempts = await this.call(eventId, () => this.attemptsOf(eventId));
    attempts.sort(compareAttemptOrder);
    return { invocations: slicePage(attempts, query), total: attempts.length };
  }

  /**
   * Cancel is final: once this answers `cancelled`, the webhook is never called. The cancel is a Temporal cancel
   * request, recorded at once (no worker needed) and seen by everything that could still call: the workflow before
   * its next attempt, and a held attempt, which asks the server just before its instant (src/temporal/
   * call-clearance.ts). Only an attempt already cleared (due within MAX_CLEARANCE_LEAD_MS, more in a burst:
   * clearanceLimitMs) or calling can outrun it; then the answer waits for the workflow, which ends the event with
   * that call's outcome (a conflict here).
   * An answer that is neither (no worker confirmed in time) comes back with the event still pending.
   */
  async cancel(eventId: string): Promise<ScheduledEvent> {
    let was: EventMark | undefined;
    return this.change(
      eventId,
      async () => {
        const deadline = Date.now() + this.callTimeoutMs - CANCEL_SETTLE_MS;
        const handle = this.client.workflow.getHandle(eventId);
        const before = await this.describeWithAttempt(handle);
        was = markOf(before.event);
        if (!isPending(before.event.status)) {
          throw new EventConflictError(eventId, `the event has already finished (${before.event.status})`);
        }
        // Events created before cancel was final know only the `cancel` signal (a cancel request would end them as
        // they did then: a held attempt's event `dead`, or `cancelled` after a failed call).
        const { finalCancel } = before;
        const closedFirst = await this.ifStillRunning(handle, () =>
          finalCancel ? handle.cancel() : handle.signal(cancelSignal),
        );
        if (closedFirst !== undefined) {
          throw new EventConflictError(eventId, `the event has already finished (${closedFirst.status})`);
        }
        // With a worker running, the workflow ends the event itself within moments, and says how.
        const settled = await this.settled(handle, Date.now() + CANCEL_SETTLE_MS);
        if (settled !== undefined) return cancelOutcome(settled);
        // No worker ended it in time (none runs, or all are busy). Decide from what the server holds now.
        const now = await this.describeWithAttempt(handle);
        if (!isPending(now.event.status)) return cancelOutcome(now.event);
        if (cannotOutrun(now)) {
          // Final already; terminating shows it at once in listings, with or without a worker.
          const closed = await this.ifStillRunning(handle, () => handle.terminate(CANCEL_REASON));
          return closed === undefined
            ? { ...now.event, status: 'cancelled', nextRetryAt: null }
            : cancelOutcome(closed);
        }
        // A worker holds an attempt that may be cleared to call: only the workflow knows how it ends.
        const late = await this.settled(handle, deadline);
        return late === undefined ? now.event : cancelOutcome(late);
      },
      (after) => ({ before: was, after: markOf(after) }),
    );
  }

  /**
   * Runs a request on a run that was running a moment ago. If it closed meanwhile (Temporal answers "not found"),
   * returns the event as it ended instead.
   */
  private async ifStillRunning(
    handle: WorkflowHandle,
    request: () => Promise<unknown>,
  ): Promise<ScheduledEvent | undefined> {
    try {
      await request();
      return undefined;
    } catch (err) {
      if (!(toDomainError(err, handle.workflowId) instanceof EventNotFoundError)) throw err;
      const after = await this.describe(handle);
      if (isPending(after.status)) throw err;
      return after;
    }
  }

  async delete(eventId: string): Promise<void> {
    let was: EventMark | undefined;
    await this.change(
      eventId,
      async () => {
        const description = await this.client.workflow.getHandle(eventId).describe();
        const event = eventFromExecution(description);
        if (event === undefined) throw new EventNotFoundError(eventId);
        was = markOf(event);
        if (isPending(event.status)) throw new EventConflictError(eventId, `the event is still ${event.status}`);
        // Ended, but its workflow still calls the failure webhook: deleting would terminate that call unannounced.
        if (description.status.name === 'RUNNING') {
          throw new EventConflictError(
            eventId,
            `the event is ${event.status} and its failure webhook is being called; delete it once that is done (within minutes)`,
          );
        }
        await this.client.workflowService.deleteWorkflowExecution({
          namespace: this.client.options.namespace,
          workflowExecution: { workflowId: eventId },
        });
      },
      () => ({ before: was }),
    );
  }

  async update(eventId: string, patch: EventPatch): Promise<ScheduledEvent> {
    let was: EventMark | undefined;
    return this.change(
      eventId,
      async () => {
        const handle = this.client.workflow.getHandle(eventId);
        // A new due time moves the event between counted ranges: read where it was, for the shared counts.
        if (patch.scheduledTime !== undefined) was = markOf(await this.describe(handle));
        try {
          await handle.executeUpdate(editUpdate, { args: [patch] });
        } catch (err) {
          // Temporal answers an Update sent to a closed workflow as "not found"; when the event exists it has
          // finished, which is a conflict, not an unknown event.
          if (!(toDomainError(err, eventId) instanceof EventNotFoundError)) throw err;
          const event = await this.describe(handle);
          throw new EventConflictError(eventId, `the event can no longer be changed (${event.status})`);
        }
        return this.describe(handle);
      },
      // A pending event stays pending: only a new due time moves it between counts, but a listing's read of its
      // window holds the old fields either way.
      (after) => ({ before: was ?? markOf(after), after: markOf(after) }),
    );
  }

  async readiness(): Promise<Readiness> {
    try {
      const response = await this.client.withDeadline(Date.now() + this.callTimeoutMs, () =>
        this.client.workflowService.describeTaskQueue({
          namespace: this.client.options.namespace,
          taskQueue: { name: this.taskQueue },
          taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        }),
      );
      return { temporal: true, worker: (response.pollers?.length ?? 0) > 0 };
    } catch {
      return { temporal: false, worker: false };
    }
  }

  /** The event once its workflow has closed, or undefined if it is still running at `deadline` (ms since epoch). */
  private async settled(handle: WorkflowHandle, deadline: number): Promise<ScheduledEvent | undefined> {
    const closed = await this.client
      .withDeadline(deadline, () => handle.result())
      .then(() => true)
      .catch((err: unknown) => err instanceof WorkflowFailedError);
    return closed ? this.describe(handle) : undefined;
  }

  /** The event, what the server knows of its attempt, and whether it was created with a final cancel. */
  private async describeWithAttempt(handle: WorkflowHandle): Promise<EventView> {
    const description = await handle.describe();
    const event = eventFromExecution(description);
    if (event === undefined) throw new EventNotFoundError(handle.workflowId);
    const pending = description.raw.pendingActivities?.[0];
    const revision = description.memo?.[MEMO_REVISION];
    // A rerun waiting for a worker follows a run that ended without a result, perhaps mid-call: only the workflow
    // knows whether a call may have been made, so it counts as taken.
    const waiting =
      pending?.state === temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_SCHEDULED &&
      (pending.attempt ?? 1) <= 1;
    return {
      event,
      attempt: pending === undefined ? 'none' : waiting ? 'waiting' : 'taken',
      finalCancel: typeof revision === 'number' && revision >= FINAL_CANCEL_REVISION,
    };
  }

  private async describe(handle: WorkflowHandle): Promise<ScheduledEvent> {
    return (await this.describeWithAttempt(handle)).event;
  }

  private async attemptsOf(eventId: string): Promise<AttemptRecord[]> {
    const history = await this.client.workflow.getHandle(eventId).fetchHistory();
    const { payloadCodecs } = this.client.options.loadedDataConverter;
    return attemptsFromHistory(await decodeAttemptPayloads(history, payloadCodecs));
  }

  /**
   * `call` for an operation that changes events; `effect` says what it did to the event once it has succeeded, so
   * that shared counts follow it (./visibility-counts.ts) and a listing from this process sees its own write.
   */
  private async change<T>(
    eventId: string,
    fn: () => Promise<T>,
    effect: (result: T) => EventChange | undefined,
  ): Promise<T> {
    let change: EventChange | undefined;
    const startedAt = this.counts.clock();
    try {
      const result = await this.call(eventId, fn);
      change = effect(result);
      return result;
    } catch (err) {
      // A conflict or an unknown event is answered before anything is written; any other failure may have written.
      if (err instanceof EventConflictError || err instanceof EventNotFoundError) change = {};
      throw err;
    } finally {
      this.counts.changed(change, startedAt);
      this.reads.changed(change);
    }
  }

  /** Runs one operation under a deadline and translates Temporal's errors into the service's. */
  private async call<T>(
    eventId: string | undefined,
    fn: () => Promise<T>,
    deadline: number = Date.now() + this.callTimeoutMs,
  ): Promise<T> {
    // Temporal ids are UTF-8; an id with a lone surrogate cannot name any event (and gRPC would reject it).
    if (eventId !== undefined && LONE_SURROGATE.test(eventId)) throw new EventNotFoundError(eventId);
    try {
      return await this.client.withDeadline(deadline, fn);
    } catch (err) {
      throw toDomainError(err, eventId);
    }
  }
}

/** A UTF-16 surrogate without its pair: the string is not well-formed Unicode. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The `offset`/`limit` window of an ordered result. */
function slicePage<T>(items: T[], { offset = 0, limit }: { offset?: number; limit?: number }): T[] {
  return items.slice(offset, limit === undefined ? undefined : offset + limit);
}

/**
 * Whether a cancel recorded before this look at the event is sure to stop every call, whatever the clocks say: no
 * worker holds an attempt, and any attempt a worker takes from now on asks the server before its call and finds the
 * cancel (or the terminate that follows). An attempt a worker already holds may have been cleared: unsure.
 */
function cannotOutrun({ event, attempt, finalCancel }: EventView): boolean {
  if (attempt === 'taken') return false;
  // A `locked` event with no attempt pending has just had an attempt return: that call is being recorded.
  if (attempt === 'none' && event.status !== 'scheduled') return false;
  // Every attempt still to come asks for clearance after the cancel request, and is refused.
  if (finalCancel) return true;
  // Older events got the signal, which clearance does not see; the terminate is, if it lands first.
  const nextCallAt = event.tries === 0 ? event.scheduledTime : event.nextRetryAt;
  return nextCallAt !== null && Date.parse(nextCallAt) - Date.now() > CANCEL_SAFE_AHEAD_MS;
}

/**
 * What cancel looks at: the event, its attempt (none pending; waiting for a worker; taken by one, or run again after
 * a run that may have called), its revision.
 */
interface EventView {
  event: ScheduledEvent;
  attempt: 'none' | 'waiting' | 'taken';
  finalCancel: boolean;
}

/**
 * What a cancel answers once the event has ended: the event (`cancelled`, or `dead` when its tolerance ran out
 * first: no call either way), or a conflict when a call already under way decided it (`delivered` or `error`).
 */
function cancelOutcome(event: ScheduledEvent): ScheduledEvent {
  if (event.status === 'delivered' || event.status === 'error') throw new CallInFlightError(event.id, event.status);
  return event;
}

function isPending(status: EventStatus): boolean {
  return status === 'scheduled' || status === 'locked';
}

/** An event as the shared counts see it. */
function markOf(event: ScheduledEvent): EventMark {
  return { id: event.id, time: Date.parse(event.scheduledTime), status: event.status };
}
