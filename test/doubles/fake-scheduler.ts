/**
 * An in-memory `EventScheduler` for tests of the layers above Temporal (API, SDK). It keeps the interface's whole
 * contract (ordering, filters, paging, cancel/delete/update rules and their errors) and adds a few levers to play
 * the workflow's part (`recordAttempt`, `setStatus`) and to make calls fail (`failWith`, `failOn`).
 * Not for production: nothing here is durable.
 */
import { randomUUID } from 'node:crypto';
import {
  applyPatch,
  compareAttemptOrder,
  compareEventOrder,
  EVENT_STATUSES,
  FINAL_STATUSES,
  MAX_STORED_RESPONSE_BODY_BYTES,
  type AttemptRecord,
  type EventDefinition,
  type EventPatch,
  type EventStatus,
  type ScheduledEvent,
  type WebhookBody,
} from '../../src/shared/event';
import { EventConflictError, EventNotFoundError } from '../../src/shared/errors';
import type {
  EventPage,
  EventScheduler,
  InvocationPage,
  InvocationsQuery,
  ListEventsQuery,
  Readiness,
} from '../../src/shared/scheduler';

export type SchedulerMethod = keyof EventScheduler;

export interface FakeSchedulerOptions {
  /** The clock (default: the real one). */
  now?: () => Date;
  /** Event and invocation ids (default: random UUIDs). */
  newId?: () => string;
}

/** What `recordAttempt` needs to know about one simulated webhook call. */
export interface SimulatedAttempt {
  /** HTTP status of the answer; null for no answer (timeout, connection refused). */
  status: number | null;
  /** Response body (answers) or error text (no answer). */
  body?: string;
  responseHeaders?: { name: string; value: string }[];
  retryAfterSeconds?: number | null;
  durationMs?: number;
}

/** Statuses listed when a query names none (docs/contract.md §4). */
const DEFAULT_LISTED: readonly EventStatus[] = EVENT_STATUSES.filter((s) => s !== 'cancelled');
const PENDING: readonly EventStatus[] = ['scheduled', 'locked'];
const MS_PER_SECOND = 1000;

/** Newest first: createdAt descending, then the later attempt of the same event, then id. */
function page<T>(items: T[], offset = 0, limit?: number): T[] {
  return items.slice(offset, limit === undefined ? undefined : offset + limit);
}

/** Cuts `text` to `maxBytes` of UTF-8, dropping a character split by the cut. */
function truncateUtf8(text: string, maxBytes: number): { text: string; truncated: boolean } {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return { text, truncated: false };
  return { text: new TextDecoder().decode(bytes.subarray(0, maxBytes)).replace(/\uFFFD$/, ''), truncated: true };
}

export class FakeEventScheduler implements EventScheduler {
  /** When set, every method throws it (e.g. a SchedulerUnavailableError, as when Temporal is down). */
  failWith: Error | null = null;
  /** Errors thrown by single methods; checked after `failWith`. */
  readonly failOn: Partial<Record<SchedulerMethod, Error>> = {};
  /** Events whose cancel is recorded but not confirmed (a worker holds the attempt): `cancel` returns them pending. */
  readonly unconfirmedCancels = new Set<string>();
  /** What `readiness()` answers. */
  readinessState: Readiness = { temporal: true, worker: true };
  /** Every call, in order, with its arguments. */
  readonly calls: { method: SchedulerMethod; args: unknown[] }[] = [];

  private readonly events = new Map<string, ScheduledEvent>();
  private readonly attempts = new Map<string, AttemptRecord[]>();
  private readonly now: () => Date;
  private readonly newId: () => string;

  constructor(options: FakeSchedulerOptions = {}) {
    this.now = options.now ?? (() => new Date());
    this.newId = options.newId ?? randomUUID;
  }

  async create(definition: EventDefinition, options?: { eventId?: string }): Promise<ScheduledEvent> {
    this.enter('create', definition, options);
    const id = options?.eventId ?? this.newId();
    if (this.events.has(id)) throw new EventConflictError(id, `an event with id ${id} already exists`);
    const event: ScheduledEvent = {
      ...structuredClone(definition),
      id,
      createdAt: this.now().toISOString(),
      status: 'scheduled',
      tries: 0,
      nextRetryAt: null,
    };
    this.events.set(id, event);
    this.attempts.set(id, []);
    return structuredClone(event);
  }

  async get(eventId: string): Promise<ScheduledEvent> {
    this.enter('get', eventId);
    return structuredClone(this.mustGet(eventId));
  }

  async list(query: ListEventsQuery): Promise<EventPage> {
    this.enter('list', query);
    const statuses = query.statuses?.length ? query.statuses : DEFAULT_LISTED;
    const after = query.scheduledAfter === undefined ? -Infinity : Date.parse(query.scheduledAfter);
    const before = query.scheduledBefore === undefined ? Infinity : Date.parse(query.scheduledBefore);
    const matching = [...this.events.values()]
      .filter((e) => statuses.includes(e.status))
      .filter((e) => Date.parse(e.scheduledTime) >= after && Date.parse(e.scheduledTime) < before)
      .sort(compareEventOrder);
    const cursor = query.after;
    const rest = cursor ? matching.filter((e) => compareEventOrder(e, cursor) > 0) : matching;
    // As the real scheduler: `total` counts what follows the cursor, before offset and limit.
    return { events: structuredClone(page(rest, query.offset, query.limit)), total: rest.length };
  }

  async invocations(query: InvocationsQuery): Promise<InvocationPage> {
    this.enter('invocations', query);
    // An unknown event is EventNotFoundError, as from the real scheduler (the Hasura route answers it with an empty log).
    if (query.eventId !== undefined) this.mustGet(query.eventId);
    const records =
      query.eventId === undefined ? [...this.attempts.values()].flat() : [...(this.attempts.get(query.eventId) ?? [])];
    records.sort(compareAttemptOrder);
    return { invocations: structuredClone(page(records, query.offset, query.limit)), total: records.length };
  }

  async cancel(eventId: string): Promise<ScheduledEvent> {
    this.enter('cancel', eventId);
    const event = this.mustGet(eventId);
    if (FINAL_STATUSES.includes(event.status)) {
      throw new EventConflictError(eventId, `scheduled event ${eventId} has already finished (${event.status})`);
    }
    if (this.unconfirmedCancels.has(eventId)) return structuredClone(event);
    event.status = 'cancelled';
    event.nextRetryAt = null;
    return structuredClone(event);
  }

  async delete(eventId: string): Promise<void> {
    this.enter('delete', eventId);
    const event = this.mustGet(eventId);
    if (PENDING.includes(event.status)) {
      throw new EventConflictError(eventId, `scheduled event ${eventId} is still pending (${event.status})`);
    }
    this.events.delete(eventId);
    this.attempts.delete(eventId);
  }

  async update(eventId: string, patch: EventPatch): Promise<ScheduledEvent> {
    this.enter('update', eventId, patch);
    const event = this.mustGet(eventId);
    if (event.status !== 'scheduled' || event.tries > 0) {
      throw new EventConflictError(eventId, `scheduled event ${eventId} can no longer be changed (${event.status})`);
    }
    const defined = Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined));
    Object.assign(event, applyPatch(event, structuredClone(defined)));
    return structuredClone(event);
  }

  async readiness(): Promise<Readiness> {
    this.enter('readiness');
    return { ...this.readinessState };
  }

  // ---- levers for tests: the workflow's part ----

  /** The stored event (a copy), or undefined; does not count as a call. */
  peek(eventId: string): ScheduledEvent | undefined {
    const event = this.events.get(eventId);
    return event && structuredClone(event);
  }

  /** Number of stored events, whatever their status. */
  get size(): number {
    return this.events.size;
  }

  /** Forces an event's status and any other fields, as the workflow would change them. */
  setStatus(eventId: string, status: EventStatus, changes: Partial<Omit<ScheduledEvent, 'id' | 'status'>> = {}): void {
    Object.assign(this.mustGet(eventId), structuredClone(changes), { status });
  }

  /**
   * Plays one webhook attempt as the workflow would: logs an AttemptRecord (bodies cut to
   * MAX_STORED_RESPONSE_BODY_BYTES), counts the try, and moves the event to `delivered`, to `error` when no retry
   * is left, or back to `scheduled` with `nextRetryAt` (Retry-After, else retry_interval_seconds, never past
   * num_retries).
   */
  recordAttempt(eventId: string, attempt: SimulatedAttempt): AttemptRecord {
    const event = this.mustGet(eventId);
    const startedAt = this.now();
    const success = attempt.status !== null && attempt.status >= 200 && attempt.status < 300;
    const stored = truncateUtf8(attempt.body ?? '', MAX_STORED_RESPONSE_BODY_BYTES);
    const body: WebhookBody = {
      id: event.id,
      scheduled_time: event.scheduledTime,
      payload: event.payload,
      ...(event.comment === null ? {} : { comment: event.comment }),
      created_at: event.createdAt,
    };
    const record: AttemptRecord = {
      id: this.newId(),
      eventId,
      attempt: event.tries + 1,
      createdAt: startedAt.toISOString(),
      durationMs: attempt.durationMs ?? 0,
      success,
      status: attempt.status,
      request: { body, headers: [{ name: 'Content-Type', value: 'application/json' }, ...event.headers] },
      response:
        success && attempt.status !== null
          ? {
              type: 'webhook_response',
              status: attempt.status,
              headers: attempt.responseHeaders ?? [],
              body: stored.text,
              bodyTruncated: stored.truncated,
            }
          : { type: 'client_error', message: stored.text, bodyTruncated: stored.truncated },
      retryAfterSeconds: attempt.retryAfterSeconds ?? null,
    };
    this.attempts.get(eventId)?.push(record);
    event.tries += 1;
    if (success) {
      event.status = 'delivered';
      event.nextRetryAt = null;
    } else if (event.tries > event.retryConf.numRetries) {
      event.status = 'error';
      event.nextRetryAt = null;
    } else {
      const delaySeconds = attempt.retryAfterSeconds ?? event.retryConf.retryIntervalSeconds;
      event.status = 'scheduled';
      event.nextRetryAt = new Date(startedAt.getTime() + delaySeconds * MS_PER_SECOND).toISOString();
    }
    return structuredClone(record);
  }

  private enter(method: SchedulerMethod, ...args: unknown[]): void {
    this.calls.push({ method, args: structuredClone(args) });
    const failure = this.failWith ?? this.failOn[method];
    if (failure) throw failure;
  }

  private mustGet(eventId: string): ScheduledEvent {
    const event = this.events.get(eventId);
    if (!event) throw new EventNotFoundError(eventId);
    return event;
  }
}
