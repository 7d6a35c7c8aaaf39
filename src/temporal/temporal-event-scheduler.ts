import { randomUUID } from 'node:crypto';
import { type Client, type WorkflowHandle, WorkflowIdReusePolicy } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { AttemptRecord, EventDefinition, EventStatus, ScheduledEvent, ScheduledEventInput } from '../shared/event';
import { EVENT_STATUSES, PREPARE_AHEAD_MS } from '../shared/event';
import { EventConflictError, EventNotFoundError } from '../shared/errors';
import type {
  EventPage,
  EventScheduler,
  InvocationPage,
  InvocationsQuery,
  ListEventsQuery,
  Readiness,
} from '../shared/scheduler';
import { cancelSignal, editUpdate, MEMO_CREATED_AT, MEMO_DEFINITION } from '../../workflows/messages';
import { EVENT_STATUS, EVENT_TIME, EVENT_TRIES } from '../../workflows/search-attributes';
import type { scheduledEventWorkflow } from '../../workflows';
import { attemptsFromHistory } from './attempts-from-history';
import { eventPriority } from './event-priority';
import { eventFromExecution } from './event-from-execution';
import { toDomainError } from './to-domain-error';

/** The workflow type, as registered by the worker (the function's name). */
export const EVENT_WORKFLOW_TYPE = 'scheduledEventWorkflow';

/** Upper bound on one operation's Temporal calls, so a stuck server or missing worker turns into a 503. */
const DEFAULT_CALL_TIMEOUT_MS = 10_000;
/** After a cancel, how long to wait for a sleeping event to close, so the answer shows it cancelled. */
const CANCEL_SETTLE_MS = 2000;
/** Recorded as the termination reason of a cancelled event (shown in the Temporal UI). */
const CANCEL_REASON = 'cancelled through the scheduled-events API';
/** Histories fetched at once when listing every event's invocations. */
const HISTORY_FETCH_CONCURRENCY = 8;

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

  constructor(options: TemporalEventSchedulerOptions) {
    this.client = options.client;
    this.taskQueue = options.taskQueue;
    this.callTimeoutMs = options.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
  }

  async create(definition: EventDefinition, options: { eventId?: string } = {}): Promise<ScheduledEvent> {
    const id = options.eventId ?? randomUUID();
    const createdAtMs = Date.now();
    const input: ScheduledEventInput = {
      id,
      createdAt: new Date(createdAtMs).toISOString(),
      definition,
      prepareAheadMs: PREPARE_AHEAD_MS,
    };
    await this.call(id, () =>
      this.client.workflow.start<typeof scheduledEventWorkflow>(EVENT_WORKFLOW_TYPE, {
        workflowId: id,
        taskQueue: this.taskQueue,
        args: [input],
        // An event id is never reused, even after its workflow has closed (a deleted event's id may be).
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        memo: { [MEMO_DEFINITION]: definition, [MEMO_CREATED_AT]: input.createdAt },
        typedSearchAttributes: [
          { key: EVENT_STATUS, value: 'scheduled' },
          { key: EVENT_TIME, value: new Date(definition.scheduledTime) },
          { key: EVENT_TRIES, value: 0 },
        ],
        // Due soon: its tasks go ahead of a backlog of events due later (./event-priority.ts).
        priority: eventPriority(Date.parse(definition.scheduledTime), createdAtMs),
        staticSummary: `POST ${definition.webhook} at ${definition.scheduledTime}`,
        staticDetails: definition.comment ?? undefined,
      }),
    );
    return { id, createdAt: input.createdAt, ...definition, status: 'scheduled', tries: 0, nextRetryAt: null };
  }

  async get(eventId: string): Promise<ScheduledEvent> {
    return this.call(eventId, async () => this.describe(this.client.workflow.getHandle(eventId)));
  }

  async list(query: ListEventsQuery): Promise<EventPage> {
    const statuses = query.statuses?.length ? query.statuses : EVENT_STATUSES.filter((s) => s !== 'cancelled');
    const found = await this.call(undefined, () => this.listAll(visibilityQuery(statuses, query)));
    // The status of an execution ended from outside is derived (eventFromExecution), so filter after mapping.
    const events = found.filter((e) => statuses.includes(e.status));
    // SQL visibility cannot ORDER BY a custom attribute, so the order is made here, over every match.
    events.sort(compareEvents);
    const after = query.after;
    const rest = after ? events.filter((e) => compareEvents(e, after) > 0) : events;
    return { events: slicePage(rest, query), total: rest.length };
  }

  async invocations(query: InvocationsQuery): Promise<InvocationPage> {
    const attempts = await this.call(query.eventId, async () => {
      if (query.eventId !== undefined) return this.attemptsOf(query.eventId);
      const events = await this.listAll(`WorkflowType = '${EVENT_WORKFLOW_TYPE}'`);
      const all: AttemptRecord[] = [];
      for (let i = 0; i < events.length; i += HISTORY_FETCH_CONCURRENCY) {
        const batch = events.slice(i, i + HISTORY_FETCH_CONCURRENCY);
        for (const records of await Promise.all(batch.map((e) => this.attemptsOf(e.id)))) all.push(...records);
      }
      return all;
    });
    attempts.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.attempt - a.attempt);
    return { invocations: slicePage(attempts, query), total: attempts.length };
  }

  async cancel(eventId: string): Promise<ScheduledEvent> {
    return this.call(eventId, async () => {
      const handle = this.client.workflow.getHandle(eventId);
      const before = await this.describe(handle);
      if (!isPending(before.status)) {
        throw new EventConflictError(eventId, `the event has already finished (${before.status})`);
      }
      if (before.status === 'scheduled') {
        // Nothing is in flight: end it at once on the server, so the cancel shows in listings even while no
        // worker runs (a signal would wait for a worker to apply it).
        await handle.terminate(CANCEL_REASON);
        return { ...before, status: 'cancelled', nextRetryAt: null };
      }
      // An attempt is in flight: let it finish and be logged; the workflow makes no further attempt.
      await handle.signal(cancelSignal);
      await this.client
        .withDeadline(Date.now() + CANCEL_SETTLE_MS, () => handle.result())
        .catch(() => undefined /* still running: the attempt has not returned yet */);
      return this.describe(handle);
    });
  }

  async delete(eventId: string): Promise<void> {
    await this.call(eventId, async () => {
      const event = await this.describe(this.client.workflow.getHandle(eventId));
      if (isPending(event.status)) throw new EventConflictError(eventId, `the event is still ${event.status}`);
      await this.client.workflowService.deleteWorkflowExecution({
        namespace: this.client.options.namespace,
        workflowExecution: { workflowId: eventId },
      });
    });
  }

  async update(eventId: string, patch: Partial<EventDefinition>): Promise<ScheduledEvent> {
    return this.call(eventId, async () => {
      const handle = this.client.workflow.getHandle(eventId);
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
    });
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

  private async describe(handle: WorkflowHandle): Promise<ScheduledEvent> {
    const event = eventFromExecution(await handle.describe());
    if (event === undefined) throw new EventNotFoundError(handle.workflowId);
    return event;
  }

  private async attemptsOf(eventId: string): Promise<AttemptRecord[]> {
    return attemptsFromHistory(await this.client.workflow.getHandle(eventId).fetchHistory());
  }

  private async listAll(query: string): Promise<ScheduledEvent[]> {
    const events: ScheduledEvent[] = [];
    for await (const info of this.client.workflow.list({ query })) {
      const event = eventFromExecution(info);
      if (event !== undefined) events.push(event);
    }
    return events;
  }

  /** Runs one operation under a deadline and translates Temporal's errors into the service's. */
  private async call<T>(eventId: string | undefined, fn: () => Promise<T>): Promise<T> {
    // Temporal ids are UTF-8; an id with a lone surrogate cannot name any event (and gRPC would reject it).
    if (eventId !== undefined && LONE_SURROGATE.test(eventId)) throw new EventNotFoundError(eventId);
    try {
      return await this.client.withDeadline(Date.now() + this.callTimeoutMs, fn);
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

function isPending(status: EventStatus): boolean {
  return status === 'scheduled' || status === 'locked';
}

/** Events order by due time, then id, so that equal times still page deterministically. */
function compareEvents(a: { scheduledTime: string; id: string }, b: { scheduledTime: string; id: string }): number {
  return a.scheduledTime.localeCompare(b.scheduledTime) || a.id.localeCompare(b.id);
}

/**
 * Executions ended from outside the workflow keep a non-final status attribute; eventFromExecution derives
 * their status from how they closed. These are the execution statuses each derived status comes from.
 */
const DERIVED_FROM: Partial<Record<EventStatus, string[]>> = {
  cancelled: ['Terminated', 'Canceled'],
  error: ['Failed', 'TimedOut'],
};

/** A visibility query for events with these statuses and due-time bounds. Values come from validated input. */
function visibilityQuery(statuses: readonly EventStatus[], query: ListEventsQuery): string {
  const closedAs = statuses.flatMap((s) => DERIVED_FROM[s] ?? []);
  const byStatus = `${EVENT_STATUS.name} IN (${statuses.map((s) => `'${s}'`).join(', ')})`;
  const clauses = [
    `WorkflowType = '${EVENT_WORKFLOW_TYPE}'`,
    closedAs.length === 0
      ? byStatus
      : `(${byStatus} OR ExecutionStatus IN (${closedAs.map((s) => `'${s}'`).join(', ')}))`,
  ];
  const lower = [query.scheduledAfter, query.after?.scheduledTime].filter((t): t is string => t !== undefined).sort();
  const from = lower[lower.length - 1];
  if (from !== undefined) clauses.push(`${EVENT_TIME.name} >= '${new Date(from).toISOString()}'`);
  if (query.scheduledBefore !== undefined) {
    clauses.push(`${EVENT_TIME.name} < '${new Date(query.scheduledBefore).toISOString()}'`);
  }
  return clauses.join(' AND ');
}
