/**
 * Builds the right `ApiError` subclass from a failed response, or from one failed item of a batch create.
 */
import {
  AccessDeniedApiError,
  ApiError,
  BadRequestApiError,
  ConflictApiError,
  NotFoundApiError,
  PayloadTooLargeApiError,
  RateLimitedApiError,
  UnavailableApiError,
} from './errors';
import type { ApiErrorOptions } from './errors';
import { ERROR_STATUS } from '../shared/error-codes';
import type { WireError } from './wire';

type ApiErrorClass = new (message: string, options: ApiErrorOptions) => ApiError;

/** The subclass for each status the API (or a proxy in front of it) answers with; anything else is a plain ApiError. */
const CLASS_BY_STATUS: ReadonlyMap<number, ApiErrorClass> = new Map<number, ApiErrorClass>([
  [400, BadRequestApiError],
  [401, AccessDeniedApiError],
  [404, NotFoundApiError],
  [409, ConflictApiError],
  [413, PayloadTooLargeApiError],
  [429, RateLimitedApiError],
  [503, UnavailableApiError],
]);

/** An item error with an unknown code is most likely a new kind of validation error: treat it as a 400. */
const DEFAULT_ITEM_STATUS = 400;

/** How much of a non-JSON error body goes into the message: enough to recognise a proxy's page, not the whole page. */
const MAX_BODY_IN_MESSAGE = 200;

/** Whether `value` is the API's `{path, error, code}` error object. */
export function isWireError(value: unknown): value is WireError {
  if (typeof value !== 'object' || value === null) return false;
  const { path, error, code } = value as Record<string, unknown>;
  return typeof path === 'string' && typeof error === 'string' && typeof code === 'string';
}

function create(message: string, options: ApiErrorOptions): ApiError {
  const ErrorClass = CLASS_BY_STATUS.get(options.status) ?? ApiError;
  return new ErrorClass(message, options);
}

/**
 * The error for a non-2xx response.
 *
 * @param status the response's HTTP status.
 * @param bodyText the response body as text (may be empty or not JSON).
 * @param retryAfterMs the parsed `Retry-After`, in ms, or null.
 * @param attempts HTTP attempts made for the call so far, this one included.
 */
export function apiErrorFromResponse(
  status: number,
  bodyText: string,
  retryAfterMs: number | null,
  attempts: number,
): ApiError {
  let body: unknown = undefined;
  try {
    body = JSON.parse(bodyText);
  } catch {
    // Not JSON: a proxy or load balancer answered; fall through to the generic message.
  }
  if (isWireError(body)) {
    return create(body.error, { status, code: body.code, path: body.path, retryAfterMs, attempts });
  }
  const excerpt = bodyText.trim().slice(0, MAX_BODY_IN_MESSAGE);
  const message = excerpt === '' ? `HTTP ${status}` : `HTTP ${status}: ${excerpt}`;
  return create(message, { status, code: `http-${status}`, path: '$', retryAfterMs, attempts });
}

/**
 * The error for one refused item of `POST /v1/events/batch`; its status is the one its code implies (400 when the
 * code is unknown).
 *
 * @param attempts HTTP attempts made for the batch request.
 */
export function apiErrorFromItem(item: WireError, attempts: number): ApiError {
  // Batch items carry only `{path, error, code}`: the code says which status (and subclass) the error would have had.
  const status: number = Object.hasOwn(ERROR_STATUS, item.code)
    ? ERROR_STATUS[item.code as keyof typeof ERROR_STATUS]
    : DEFAULT_ITEM_STATUS;
  return create(item.error, { status, code: item.code, path: item.path, attempts });
}
