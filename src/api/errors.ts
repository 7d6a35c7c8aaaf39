/**
 * The API's one error shape, Hasura's `{"path", "error", "code"}` (docs/contract.md §4), and the mapping from the service's
 * domain errors to it. Handlers throw `ApiError`; `app.onError` turns whatever was thrown into a response through
 * `toApiError`, so no handler builds an error response by hand.
 */
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import {
  CancelUnconfirmedError,
  EventConflictError,
  EventNotFoundError,
  EventTooLargeError,
  SchedulerUnavailableError,
} from '../shared/errors';
import { ERROR_STATUS, type ErrorCode } from '../shared/error-codes';
import type { ErrorBody } from './schemas/responses';

export { ERROR_STATUS, type ErrorBody, type ErrorCode };

/** Root of every error path: the request body. */
export const ROOT_PATH = '$';

/**
 * Never tell a client what went wrong inside the server: the details (and any stack) go to the log only.
 * The text is fixed so that clients and tests can rely on it.
 */
export const UNEXPECTED_ERROR_MESSAGE = 'internal error: the request could not be completed (see the server log)';

/** An error meant for the client: its status, code, path and message become the response. */
export class ApiError extends Error {
  public readonly status: ContentfulStatusCode;

  constructor(
    public readonly code: ErrorCode,
    message: string,
    public readonly path: string = ROOT_PATH,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ApiError';
    this.status = ERROR_STATUS[code];
  }

  /** The response body. */
  toBody(): ErrorBody {
    return { path: this.path, error: this.message, code: this.code };
  }

  /** A missing or invalid field (400 `parse-failed`). */
  static parseFailed(message: string, path: string = ROOT_PATH): ApiError {
    return new ApiError('parse-failed', message, path);
  }

  /** Something Hasura accepts that this service does not (yet): 400 `not-supported`. */
  static notSupported(message: string, path: string = ROOT_PATH): ApiError {
    return new ApiError('not-supported', message, path);
  }

  /** Hasura's wording for a required key that is absent (aeson's), e.g. `key "args" not found`. */
  static missingKey(key: string, parentPath: string = ROOT_PATH): ApiError {
    return new ApiError('parse-failed', `key "${key}" not found`, parentPath);
  }
}

/** A key that can be written as `.key` in a JSON path; anything else is written `['key']`, as aeson does. */
const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Appends path segments to a JSON path: `jsonPath('$.args', ['headers', 0, 'name'])` is `$.args.headers[0].name`.
 */
export function jsonPath(base: string, segments: readonly PropertyKey[]): string {
  let path = base;
  for (const segment of segments) {
    if (typeof segment === 'number') path += `[${segment}]`;
    else if (typeof segment === 'string' && PLAIN_KEY.test(segment)) path += `.${segment}`;
    else path += `['${String(segment).replace(/\\/g, '\\\\').replace(/'/g, "\\'")}']`;
  }
  return path;
}

/**
 * Maps the shared domain errors (src/shared/errors.ts) to API errors at `path`; `null` for anything else.
 * Callers that know which command failed pass its args path, so a failure inside `bulk` points at its item.
 */
export function domainErrorToApiError(err: unknown, path: string = ROOT_PATH): ApiError | null {
  if (err instanceof EventNotFoundError) return new ApiError('not-found', err.message, path, { cause: err });
  if (err instanceof EventConflictError) return new ApiError('conflict', err.message, path, { cause: err });
  if (err instanceof SchedulerUnavailableError) return new ApiError('unavailable', err.message, path, { cause: err });
  // Recorded, not yet final: a 503 as docs/contract.md §4 says for Hasura's delete, at the command's args.
  if (err instanceof CancelUnconfirmedError) return new ApiError('unavailable', err.message, path, { cause: err });
  if (err instanceof EventTooLargeError) {
    return new ApiError('parse-failed', err.message, `${path}.${err.field}`, { cause: err });
  }
  return null;
}

/** The codes a Hono `HTTPException` maps to by status; other statuses become `unexpected`. */
const HTTP_EXCEPTION_CODES: Partial<Record<number, ErrorCode>> = {
  400: 'parse-failed',
  401: 'access-denied',
  404: 'not-found',
  409: 'conflict',
  413: 'payload-too-large',
  503: 'unavailable',
};

/**
 * Whatever was thrown, as the error the client sees. Unknown errors become a 500 `unexpected` with a fixed message;
 * the caller logs the original (`isUnexpected`).
 */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  const domain = domainErrorToApiError(err);
  if (domain) return domain;
  if (err instanceof HTTPException) {
    const code = HTTP_EXCEPTION_CODES[err.status];
    if (code) return new ApiError(code, err.message || code, ROOT_PATH, { cause: err });
  }
  return new ApiError('unexpected', UNEXPECTED_ERROR_MESSAGE, ROOT_PATH, { cause: err });
}
