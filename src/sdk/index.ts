/**
 * The scheduled-events SDK: a typed client of the service's REST API (docs/contract.md §7), published as its own
 * package, scheduled-events-sdk (packages/sdk builds it from here and src/shared).
 * No runtime dependencies: it needs `fetch` and `AbortSignal.any` (Node 20.3+).
 *
 * @example
 * import { ScheduledEventsClient, NotFoundApiError } from 'scheduled-events-sdk';
 *
 * const client = new ScheduledEventsClient({ baseUrl: 'http://127.0.0.1:8080' });
 * const event = await client.create({ webhook: 'https://example.com/hook', scheduleAt: '2030-01-01T09:00:00Z' });
 * await client.reschedule(event.id, new Date('2030-01-02T09:00:00Z'));
 * for await (const e of client.list({ status: 'scheduled' })) console.log(e.id, e.scheduledTime);
 *
 * @packageDocumentation
 */
export {
  DEFAULT_RETRIES,
  DEFAULT_RETRY_BASE_DELAY_MS,
  DEFAULT_RETRY_MAX_DELAY_MS,
  DEFAULT_TIMEOUT_MS,
  ScheduledEventsClient,
} from './client';
export { MAX_BATCH_EVENTS } from '../shared/event';
export type { ScheduledEventsClientOptions } from './client';
export {
  AccessDeniedApiError,
  ApiError,
  BadRequestApiError,
  ConflictApiError,
  InvalidResponseError,
  NetworkError,
  NotFoundApiError,
  PayloadTooLargeApiError,
  RateLimitedApiError,
  RequestTimeoutError,
  ScheduledEventsError,
  UnavailableApiError,
  UnexpectedStatusError,
  WaitTimeoutError,
} from './errors';
export type { ApiErrorOptions, ScheduledEventsErrorOptions } from './errors';
export { DEFAULT_WEBHOOK_TOLERANCE_SECONDS, verifyWebhook, WebhookVerificationError } from './verify-webhook';
export type { VerifyWebhookOptions } from './verify-webhook';
export type { WebhookBody } from '../shared/event';
export type { Sleep } from './sleep';
export type { FetchInit, FetchLike, FetchResponse } from './transport';
export type {
  CallOptions,
  CreateCallOptions,
  CreateEventOptions,
  CreateManyResult,
  EventPage,
  EventPatch,
  EventStatus,
  HeaderConf,
  Invocation,
  InvocationResponse,
  JsonValue,
  ListEventsFilter,
  ResponseHeader,
  RetryConf,
  ScheduledEvent,
  ScheduledEventDetails,
  TimeInput,
  WaitForOptions,
} from './types';
export { DEFAULT_POLL_INTERVAL_MS, DEFAULT_WAIT_TIMEOUT_MS } from './wait-for';
