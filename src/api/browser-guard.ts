/**
 * What keeps web pages from using the API through the browser of someone who can reach it (the developer's own
 * browser, with the API open on 127.0.0.1 by default). A page on any site may send a "simple" cross-site request,
 * such as a `no-cors` POST with `Content-Type: text/plain`, without the browser asking the API first (no CORS
 * preflight); the page cannot read the answer, but the event would be scheduled all the same. So:
 *
 * - a request with a body must say it is JSON (`Content-Type: application/json`, which a page can send cross-site
 *   only after a preflight that this API does not grant): 415 otherwise;
 * - a request carrying an `Origin` header (browsers add it to cross-site requests and to every POST) is refused with
 *   403 unless the origin is in the allow-list (`ALLOWED_ORIGINS`, empty by default) or is this server's own (the
 *   web console's page, whose Origin names the Host it calls); non-browser clients (curl, the SDK, servers) send none;
 * - CORS headers, and answers to preflights, only for the allowed origins.
 */
import type { MiddlewareHandler } from 'hono';
import { hostOfHostHeader, isLoopbackHost } from '../shared/loopback';
import { ApiError } from './errors';

export const JSON_BODY_REQUIRED_MESSAGE = 'the request body must be JSON, sent with Content-Type: application/json';

/** Methods whose request has a body here. */
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/** Request headers a page on an allowed origin may send (the API's own). */
const ALLOWED_REQUEST_HEADERS = 'content-type, authorization, x-hasura-admin-secret, idempotency-key, x-namespace';
const ALLOWED_METHODS = 'GET, POST, PATCH, DELETE';
/** How long a browser may reuse a preflight answer, in s. */
const PREFLIGHT_MAX_AGE_SECONDS = 600;

export interface BrowserGuardOptions {
  /** Exact origins (`https://app.example.com`) whose pages may call the API; empty refuses every browser origin. */
  allowedOrigins: readonly string[];
  /** Origins that may call the codec endpoint only (the Temporal Web UI's). (Default: none) */
  codecOrigins?: readonly string[];
  /** Where the codec endpoint is mounted, e.g. `/codec`. */
  codecPath?: string;
}

/**
 * Whether a request comes from a page of this very server (the web console): its `Origin` is exactly an http(s)
 * origin whose host is the host the request was sent to, and the browser, when it says (`Sec-Fetch-Site`, which no
 * page can set), says same-origin, which also rules out the same host under the other scheme. A page elsewhere
 * cannot make its requests carry another origin. A page on a rebound name (DNS rebinding) also looks same-origin, so
 * this admits nothing the Host check without a secret (loopbackHostsOnly) or the secret itself does not refuse.
 */
export function isSameOrigin(origin: string, host: string | undefined, fetchSite: string | undefined): boolean {
  if (host === undefined || (fetchSite !== undefined && fetchSite !== 'same-origin')) return false;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false; // `null` (sandboxed frames, files, redirects) and anything else that is not an origin
  }
  return (
    (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === origin && url.host === host.toLowerCase()
  );
}

/**
 * Refuses browser origins that are not allowed, and answers CORS for those that are; a page of this server (the
 * console) is its own origin and needs no CORS. First, before authentication.
 */
export function browserOrigins({
  allowedOrigins,
  codecOrigins = [],
  codecPath,
}: BrowserGuardOptions): MiddlewareHandler {
  const allowed = new Set(allowedOrigins);
  const codecAllowed = new Set(codecOrigins);
  const isCodec = (path: string) => codecPath !== undefined && path.startsWith(`${codecPath}/`);
  return async (c, next) => {
    const origin = c.req.header('origin');
    if (origin !== undefined && !isSameOrigin(origin, c.req.header('host'), c.req.header('sec-fetch-site'))) {
      if (!allowed.has(origin) && !(codecAllowed.has(origin) && isCodec(c.req.path))) {
        throw new ApiError(
          'forbidden',
          `requests from web pages are refused (Origin ${JSON.stringify(origin)} is not in ALLOWED_ORIGINS)`,
        );
      }
      c.header('Access-Control-Allow-Origin', origin);
      c.header('Vary', 'Origin');
      if (c.req.method === 'OPTIONS' && c.req.header('access-control-request-method') !== undefined) {
        c.header('Access-Control-Allow-Methods', ALLOWED_METHODS);
        c.header('Access-Control-Allow-Headers', ALLOWED_REQUEST_HEADERS);
        c.header('Access-Control-Max-Age', String(PREFLIGHT_MAX_AGE_SECONDS));
        return c.body(null, 204);
      }
    }
    return next();
  };
}

/**
 * Without an admin secret, only requests addressed to this machine by a loopback name: a page whose own name was
 * re-pointed at 127.0.0.1 (DNS rebinding) reaches the API as a same-origin page, sends no Origin on its GETs, and
 * could read every event; its `Host` still names its own site. (With a secret, the secret is what protects.)
 */
export function loopbackHostsOnly(): MiddlewareHandler {
  return async (c, next) => {
    const host = c.req.header('host');
    if (host !== undefined && !isLoopbackHost(hostOfHostHeader(host))) {
      throw new ApiError(
        'forbidden',
        `Host ${JSON.stringify(host)} is not this machine: without ADMIN_SECRET the API answers only to 127.0.0.1, localhost and [::1]`,
      );
    }
    return next();
  };
}

/** Refuses a request body that is not declared JSON (after authentication: an anonymous caller learns nothing). */
export function jsonBodiesOnly(): MiddlewareHandler {
  return async (c, next) => {
    if (BODY_METHODS.has(c.req.method) && !isJson(c.req.header('content-type'))) {
      throw new ApiError('unsupported-media-type', JSON_BODY_REQUIRED_MESSAGE);
    }
    return next();
  };
}

/** Whether a Content-Type names JSON (`application/json`, parameters such as `charset` allowed). */
function isJson(contentType: string | undefined): boolean {
  return contentType?.split(';', 1)[0]?.trim().toLowerCase() === 'application/json';
}
