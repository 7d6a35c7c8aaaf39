/**
 * The domain model shared by every layer. Types and plain constants only: this file is bundled into the
 * Temporal workflow sandbox, so it must stay free of I/O, Node builtins and heavy dependencies (no zod here).
 */

/** Any JSON value, as a webhook payload may be. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Every status an event can be in; docs/contract.md §1. */
export const EVENT_STATUSES = ['scheduled', 'locked', 'delivered', 'error', 'dead', 'cancelled'] as const;
export type EventStatus = (typeof EVENT_STATUSES)[number];

/**
 * Upper bound on `num_retries`. Each attempt adds about a dozen events to the event's workflow history, and
 * Temporal terminates a workflow past 51,200 events; 1,000 retries stay well under that.
 */
export const MAX_NUM_RETRIES = 1000;

/** Statuses after which nothing more happens to an event. */
export const FINAL_STATUSES: readonly EventStatus[] = ['delivered', 'error', 'dead', 'cancelled'];

/** A configured webhook header: a literal value, or the name of an env var read by the worker at delivery time. */
export type HeaderConf = { name: string; value: string } | { name: string; valueFromEnv: string };

/** How attempts are made; docs/contract.md §3. Every field is filled in (see DEFAULT_RETRY_CONF). */
export interface RetryConf {
  /** Retries after the first attempt; attempts = numRetries + 1. */
  numRetries: number;
  /** Pause between a failed attempt and the next, in seconds (a `Retry-After` header replaces it). */
  retryIntervalSeconds: number;
  /** Bound on one attempt's whole HTTP exchange, in seconds. */
  timeoutSeconds: number;
  /** No attempt starts later than scheduledTime + toleranceSeconds; the event is `dead` instead. */
  toleranceSeconds: number;
}

/** Hasura's defaults: no retries, 10 s apart, 60 s per attempt, 6 h tolerance. */
export const DEFAULT_RETRY_CONF: RetryConf = {
  numRetries: 0,
  retryIntervalSeconds: 10,
  timeoutSeconds: 60,
  toleranceSeconds: 6 * 60 * 60,
};

/** What the caller asked for: everything about an event that the caller chose and may later edit. */
export interface EventDefinition {
  /** URL, possibly with `{{ENV_VAR}}` templates resolved at delivery time. Stored as given. */
  webhook: string;
  /** When to deliver, as an ISO-8601 UTC timestamp (`Date#toISOString`). */
  scheduledTime: string;
  payload: JsonValue;
  headers: HeaderConf[];
  retryConf: RetryConf;
  comment: string | null;
  /**
   * Called once, when the event ends `error` or `dead` (docs/contract.md §2, "The failure webhook"). Absent: none.
   * Set at create only.
   */
  failureWebhook?: string;
}

/**
 * An edit: the fields given replace the event's, and `retryConf` is merged field by field. The merge happens in the
 * workflow's Update (`applyPatch`), so two concurrent edits of different fields never lose one another.
 */
export type EventPatch = Partial<Omit<EventDefinition, 'retryConf' | 'failureWebhook'>> & {
  retryConf?: Partial<RetryConf>;
};

/**
 * The fields an edit may carry (every field of EventPatch): the workflow's Update refuses any other, so that an
 * Update sent from outside the API (CLI, Web UI) cannot set what the API never lets change, such as failureWebhook.
 */
export const EVENT_PATCH_FIELDS = [
  'webhook',
  'scheduledTime',
  'payload',
  'headers',
  'retryConf',
  'comment',
] as const satisfies readonly (keyof EventPatch)[];
/** Fails to compile while EventPatch has a field the list above lacks. */
const _everyPatchField: [Exclude<keyof EventPatch, (typeof EVENT_PATCH_FIELDS)[number]>] extends [never]
  ? true
  : false = true;
void _everyPatchField;

/** The definition after an edit; the one merge rule, used by the workflow (and the API's test double). */
export function applyPatch(definition: EventDefinition, patch: EventPatch): EventDefinition {
  return { ...definition, ...patch, retryConf: { ...definition.retryConf, ...patch.retryConf } };
}

/**
 * Whether what every attempt records again (payload, comment and headers: `recordedBytes`) x attempts could outgrow
 * the event's workflow history (MAX_HISTORY_PAYLOAD_BYTES).
 */
export function historyBudgetExceeded(recordedBytes: number, numRetries: number): boolean {
  return projectedPayloadHistoryBytes(recordedBytes, numRetries) > MAX_HISTORY_PAYLOAD_BYTES;
}

/** The parts of an event every attempt records again: the webhook body (payload and comment) and the headers. */
export interface RecordedParts {
  payload?: unknown;
  comment?: string | null;
  headers?: readonly unknown[];
}

/**
 * How much of an event every attempt records again, as history stores it (JSON: a control character in the comment
 * takes six). `measure` counts a string: UTF-16 units by default (the workflow sandbox has no Buffer), UTF-8 bytes
 * where the API can (`Buffer.byteLength`).
 */
export function recordedLength(parts: RecordedParts, measure: (text: string) => number = (t) => t.length): number {
  return (
    measure(JSON.stringify(parts.payload ?? null)) +
    measure(JSON.stringify(parts.comment ?? '')) +
    measure(JSON.stringify(parts.headers ?? []))
  );
}

/**
 * How long before its due instant an attempt is prepared: the workflow wakes, schedules the activity, a worker
 * starts it, and the activity holds the call until exactly the instant (never early). All of the server's work for
 * the attempt (timer, workflow task, activity dispatch) thus happens before the instant, so a burst of events due
 * together is called on time instead of queueing behind the server, which on the dev server prepares only a few
 * dozen attempts per second (bench/server-cost.sh). See docs/design.md "On the instant" for what it costs.
 */
export const PREPARE_AHEAD_MS = 30_000;

/**
 * How long before its due instant a held attempt asks the server whether it may still call (src/temporal/
 * call-clearance.ts): `clearanceLeadMs`. A cancel recorded before that cannot be outrun by the call; one recorded
 * after it may be, which the API's cancel accounts for (src/temporal/temporal-event-scheduler.ts) and a Web UI / CLI
 * terminate cannot. A lone attempt asks 100 ms ahead; attempts due together ask earlier, by 2 ms for each one held on
 * the worker within a second of the instant, at most 2 s ahead (more for an event of a larger burst:
 * `clearanceLimitMs`): the dev server answers about a thousand of these questions a second, and with a fixed 100 ms
 * a burst of 1,000 waited for its answers (p99 1.42 s against 0.32 s; bench/PERFORMANCE.md "Clearance before the
 * call").
 */
export const CLEARANCE_LEAD_MS = 100;
export const CLEARANCE_LEAD_PER_ATTEMPT_MS = 2;
export const MAX_CLEARANCE_LEAD_MS = 2000;
/**
 * The longest lead of an attempt of an event created with many others due in the same second
 * (`ScheduledEventInput.maxClearanceLeadMs`): enough for 9,000 questions at 2 ms each. A burst of 10,000 asked
 * within 2 s waited for its answers past the instant, behind the server recording the calls already made (p99 45 s;
 * bench/PERFORMANCE.md "Delayed start, bursts prepared earlier"). Kept short because a cancel recorded after an
 * attempt's clearance (one processed on another worker, or a Web UI / CLI terminate) no longer stops its call.
 */
export const MAX_BURST_CLEARANCE_LEAD_MS = 20_000;
/** Attempts due within this of one another count as due together for `clearanceLeadMs`. */
export const CLEARANCE_NEIGHBOURHOOD_MS = 1000;

/**
 * The earliest before its instant an attempt may be cleared to call, from what its event recorded
 * (`maxClearanceLeadMs`): MAX_CLEARANCE_LEAD_MS for events that recorded none, at most MAX_BURST_CLEARANCE_LEAD_MS.
 * The workflow, the activity and the invocation log read it through this, so they agree on it. How the workflow
 * ends a cancelled event depends on it, so histories replay only while it and the constants it clamps to stay as
 * they are: change them behind `patched()`.
 */
export function clearanceLimitMs(recorded: number | undefined): number {
  if (recorded === undefined || !Number.isFinite(recorded)) return MAX_CLEARANCE_LEAD_MS;
  return Math.min(MAX_BURST_CLEARANCE_LEAD_MS, Math.max(MAX_CLEARANCE_LEAD_MS, recorded));
}

/**
 * How long before its instant an attempt asks for clearance, with `dueTogether` attempts (itself included) held on
 * its worker, and `limitMs` its event's `clearanceLimitMs`.
 */
export function clearanceLeadMs(dueTogether: number, limitMs = MAX_CLEARANCE_LEAD_MS): number {
  return Math.min(limitMs, CLEARANCE_LEAD_MS + CLEARANCE_LEAD_PER_ATTEMPT_MS * Math.max(dueTogether - 1, 0));
}

/** The input of the event workflow: the definition plus what the service fixed at creation. */
export interface ScheduledEventInput {
  id: string;
  /** ISO-8601 UTC. */
  createdAt: string;
  definition: EventDefinition;
  /**
   * `PREPARE_AHEAD_MS` for events created since it exists. Absent in older events: they wake 1 s early and replay as
   * recorded. An input field, not `patched()`, because a patch upserts a search attribute on every event, and a
   * visibility write is among the dev server's most expensive operations.
   */
  prepareAheadMs?: number;
  /**
   * `EVENT_WORKFLOW_REVISION` for events created since cancel is final (docs/design.md "Cancel is final"): a Temporal
   * cancel request (the API's cancel, or the Web UI's / CLI's) is the event's cancel, and a call in flight when it
   * comes ends the event with that call's outcome. Absent in older events, which replay as recorded. An input field
   * rather than `patched()` for the reason given for `prepareAheadMs`.
   */
  revision?: number;
  /**
   * For an event created with others due in the same second: how long before its instant its attempts may ask the
   * server for clearance, MAX_CLEARANCE_LEAD_MS plus CLEARANCE_LEAD_PER_ATTEMPT_MS for each event the API process
   * created before it for that second (src/temporal/prepare-lead.ts), read through `clearanceLimitMs`. So a burst's
   * questions are spread over the seconds before its instant, at a rate the dev server answers, instead of all
   * within 2 s. Absent (MAX_CLEARANCE_LEAD_MS) for every other event, and in older events, which replay as recorded.
   */
  maxClearanceLeadMs?: number;
}

/** The revision from which a Temporal cancel request is the event's cancel. */
export const FINAL_CANCEL_REVISION = 2;

/** The workflow behaviour new events are created with; see `ScheduledEventInput.revision`. */
export const EVENT_WORKFLOW_REVISION = FINAL_CANCEL_REVISION;

/** An event as listings and lookups show it. */
export interface ScheduledEvent extends EventDefinition {
  id: string;
  createdAt: string;
  status: EventStatus;
  /** Attempts made so far (an attempt counts once the webhook call was made or failed to be made). */
  tries: number;
  /** When the next retry is due, while one is pending; ISO-8601 UTC. */
  nextRetryAt: string | null;
}

/**
 * The order of listings and cursors: due time, then id, compared by UTF-16 code units (not `localeCompare`, whose
 * order depends on the locale and ignores some punctuation, which would make a cursor skip or repeat events).
 */
export function compareEventOrder(
  a: { scheduledTime: string; id: string },
  b: { scheduledTime: string; id: string },
): number {
  const byTime = Date.parse(a.scheduledTime) - Date.parse(b.scheduledTime);
  if (byTime !== 0) return byTime;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The order of invocation logs: newest first; the later attempt of one event first; then by invocation id. */
export function compareAttemptOrder(
  a: Pick<AttemptRecord, 'createdAt' | 'eventId' | 'attempt' | 'id'>,
  b: Pick<AttemptRecord, 'createdAt' | 'eventId' | 'attempt' | 'id'>,
): number {
  const byTime = Date.parse(b.createdAt) - Date.parse(a.createdAt);
  if (byTime !== 0) return byTime;
  if (a.eventId === b.eventId && a.attempt !== b.attempt) return b.attempt - a.attempt;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/**
 * Most events one `POST /v1/events/batch` takes (docs/contract.md §7): the API refuses more, the SDK's `createMany`
 * sends larger lists in chunks of this size.
 */
export const MAX_BATCH_EVENTS = 1000;
/**
 * Largest page of a listing (`GET /v1/events`'s `limit`; Hasura's unlimited listing streams pages of it). Here because
 * the service reads pages of it too (docs/contract.md §7).
 */
export const MAX_LIST_LIMIT = 1000;

/** Longest delay a Node timer can hold (2^31 - 1 ms, about 24.8 days); a longer one fires at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The Standard Webhooks headers of every call (docs/contract.md §2), named once for the sender (src/delivery/
 * signature.ts) and the receiver's verifier (src/sdk/verify-webhook.ts).
 */
export const WEBHOOK_ID_HEADER = 'webhook-id';
export const WEBHOOK_TIMESTAMP_HEADER = 'webhook-timestamp';
export const WEBHOOK_SIGNATURE_HEADER = 'webhook-signature';
/** The prefix of a signing secret as the specification shows it: `whsec_` and base64. */
export const SIGNING_SECRET_PREFIX = 'whsec_';

/** The JSON body POSTed to the webhook (Hasura's one-off shape; docs/contract.md §2). `comment` is omitted when unset. */
export interface WebhookBody {
  id: string;
  scheduled_time: string;
  payload: JsonValue;
  comment?: string;
  created_at: string;
  /** Only in the body of the failure webhook: how the event failed. */
  failure?: FailureReport;
}

/** What the failure webhook is told (docs/contract.md §2, "The failure webhook"). */
export interface FailureReport {
  /** How the event ended. */
  status: 'error' | 'dead';
  /** Why, in words. */
  reason: string;
  /** Attempts made. */
  tries: number;
  /** The event's last attempt, if one was made: its HTTP status (null: no response), when, and what came back. */
  last_attempt: { status: number | null; created_at: string; response: string } | null;
}

/** Attempts of the failure webhook: a fixed, small policy, never more (a failing failure webhook is not retried on). */
export const FAILURE_WEBHOOK_ATTEMPTS = 3;
/**
 * Retries as the history budget counts them: the failure webhook's attempts record the event's body too, so an event
 * with one counts them on top of its own (at create, at an edit through the API, and in the workflow's edit check).
 */
export function budgetedRetries(numRetries: number, failureWebhook: string | undefined): number {
  return numRetries + (failureWebhook === undefined ? 0 : FAILURE_WEBHOOK_ATTEMPTS);
}
/** Seconds between two attempts of the failure webhook. */
export const FAILURE_WEBHOOK_RETRY_INTERVAL_SECONDS = 10;
/** Seconds one attempt of the failure webhook may take. */
export const FAILURE_WEBHOOK_TIMEOUT_SECONDS = 10;
/** How much of the last attempt's response the failure report repeats. */
export const FAILURE_REPORT_RESPONSE_CHARS = 2048;

/** A header as an invocation log shows it: configured env headers stay as references, never their values. */
export type LoggedHeader = HeaderConf;

/** The response side of one attempt. */
export type AttemptResponse =
  | {
      /** The webhook answered 2xx. */
      type: 'webhook_response';
      status: number;
      headers: { name: string; value: string }[];
      body: string;
      /** The body was cut to MAX_STORED_RESPONSE_BODY_BYTES. */
      bodyTruncated: boolean;
    }
  | {
      /** Anything else: a non-2xx answer (message = its body), or no answer (message = the error). */
      type: 'client_error';
      message: string;
      bodyTruncated: boolean;
    };

/** One webhook attempt, as recorded in workflow history (the activity's result) and shown as an invocation. */
export interface AttemptRecord {
  /** Invocation id (UUID). */
  id: string;
  eventId: string;
  /** 1-based number of this attempt within the event. */
  attempt: number;
  /** When the attempt started, ISO-8601 UTC. */
  createdAt: string;
  durationMs: number;
  /** True for a 2xx within the timeout. */
  success: boolean;
  /** HTTP status; null when no response came (timeout, connection error); 500 when no request could be made. */
  status: number | null;
  request: { body: WebhookBody; headers: LoggedHeader[] };
  response: AttemptResponse;
  /** Delay asked for by a `Retry-After` header on a failed response, in seconds; null when absent or invalid. */
  retryAfterSeconds: number | null;
  /**
   * Present (true) when the service itself refused the call: its destination is not a public address, or it reads
   * an env variable the policy forbids. Retrying cannot change that, so the event ends `error` at once. Absent in
   * records made before the rule existed.
   */
  refused?: true;
  /** Present (true) on an attempt of the failure webhook rather than of the event's own webhook. */
  failureCallback?: true;
}

/** Limits of what one attempt stores in history: Temporal payloads are capped at 2 MB. */
export const MAX_STORED_RESPONSE_BODY_BYTES = 64 * 1024;

/** The input of one attempt (the `deliverWebhook` activity). */
export interface DeliverWebhookInput {
  eventId: string;
  /**
   * This call's `webhook-id` and `Idempotency-Key` when not the event id: the failure webhook's calls carry
   * `<event id>.failure`, so a receiver deduplicating on them never drops the report as a repeat of the event.
   */
  messageId?: string;
  /** Marks the failure webhook's attempts, in their records. */
  failureCallback?: true;
  /** Invocation id for this attempt (UUID, made by the workflow). */
  invocationId: string;
  /** 1-based attempt number. */
  attempt: number;
  /** URL template as stored; `{{ENV}}` is resolved by the worker. */
  webhook: string;
  headers: HeaderConf[];
  body: WebhookBody;
  timeoutSeconds: number;
  /**
   * The attempt must not call the webhook before this instant (ISO-8601): the workflow wakes a little early so
   * the activity is already running, then the activity holds until the exact due time.
   */
  notBefore: string;
  /** Tolerance deadline (ISO-8601): an attempt that would start after it makes no call. */
  notAfter: string;
  /** The event's `maxClearanceLeadMs`, when it has one: the earliest before `notBefore` this attempt may be cleared. */
  maxClearanceLeadMs?: number;
}

/** Which execution of which attempt an activity is: what the server is asked about before the call. */
export interface AttemptRef {
  workflowId: string;
  runId: string;
  activityId: string;
  /** The server's attempt number of this activity execution (1, or more when a lost worker's attempt is rerun). */
  activityAttempt: number;
}

/**
 * What the server says, just before the call, of an attempt that held: `call` (the event runs, no cancel is
 * requested and this execution is still the attempt's current one), `cancelled` (the event or the attempt has a
 * cancel request), `gone` (the event's workflow has ended, e.g. terminated, or this execution was superseded).
 */
export type CallClearance = 'call' | 'cancelled' | 'gone';

/**
 * The result of `deliverWebhook`: the attempt; or no call made by this activity execution, because the attempt
 * started too late (`pastTolerance`) or the event was cancelled while the attempt held (`cancelled`). `rerun` marks
 * either from a later execution of the attempt that the server ran once its instant had come, after an earlier one
 * ended without a result (its worker lost or shut down, or it failed): that earlier one may have called.
 */
export type DeliverWebhookResult =
  | { kind: 'attempted'; record: AttemptRecord }
  | { kind: 'pastTolerance'; rerun?: true }
  | { kind: 'cancelled'; rerun?: true };

/**
 * Budget for copies of the payload in one event's workflow history. Temporal terminates a workflow whose history
 * passes 50 MB; each attempt records the webhook body twice (the activity's input and the logged request), and the
 * start records it twice more (input and memo), so payload x attempts must stay under this.
 */
export const MAX_HISTORY_PAYLOAD_BYTES = 40 * 1024 * 1024;

/** Worst-case bytes the payload takes in history over every attempt an event may make. */
export function projectedPayloadHistoryBytes(payloadBytes: number, numRetries: number): number {
  return 2 * payloadBytes * (numRetries + 2);
}
