/**
 * The headers of a webhook request: the configured ones, then ours. Env-backed values are read here, at delivery
 * time in the worker, so a secret never appears in workflow history, listings or logs; the *logged* list keeps the
 * reference (`{ name, valueFromEnv }`) instead.
 */
import type { HeaderConf, LoggedHeader } from '../shared/event';
import { type Env, lookupEnv } from './env';
import { MissingEnvVarError } from './errors';
import { WEBHOOK_ID_HEADER, WEBHOOK_SIGNATURE_HEADER, WEBHOOK_TIMESTAMP_HEADER } from './signature';

/** What identifies this service and this event to the receiver. */
export interface DefaultHeaderValues {
  /** `<product>/<version>`, e.g. `scheduled-events/0.1.0`. */
  userAgent: string;
  /** The event id: the same on every attempt, so a receiver can drop duplicates of an at-least-once delivery. */
  idempotencyKey: string;
}

/** A header as sent on the wire. */
export interface HeaderValue {
  name: string;
  value: string;
}

/**
 * The headers we always send, known before the call; docs/contract.md §2. With `webhook-timestamp` and, when signing,
 * `webhook-signature`, added at the call (./signature.ts), they replace configured headers of the same name (any case).
 */
export function defaultHeaders({ userAgent, idempotencyKey }: DefaultHeaderValues): HeaderValue[] {
  return [
    { name: 'Content-Type', value: 'application/json' },
    { name: 'User-Agent', value: userAgent },
    { name: 'Idempotency-Key', value: idempotencyKey },
    { name: WEBHOOK_ID_HEADER, value: idempotencyKey },
  ];
}

/**
 * Header names a caller may not set, because they frame the request or speak for one hop (RFC 9110 §7.6.1, RFC
 * 9112 §6): with them a caller could smuggle a second request past a proxy or confuse the receiver about the body.
 * The HTTP client sets what it needs. `Proxy-*` is refused too (a prefix, below).
 */
export const FORBIDDEN_HEADER_NAMES = [
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'expect',
  'http2-settings',
] as const;

/** Whether a configured header name is one of FORBIDDEN_HEADER_NAMES or a `Proxy-*` header. */
export function isForbiddenHeaderName(name: string): boolean {
  const lower = name.toLowerCase();
  return (FORBIDDEN_HEADER_NAMES as readonly string[]).includes(lower) || lower.startsWith('proxy-');
}

/** RFC 9110 `token`: the characters a header name may contain. */
export const HTTP_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Lower-cased names of the headers we set; header names are case-insensitive (RFC 9110 §5.1). */
const DEFAULT_HEADER_NAMES: ReadonlySet<string> = new Set([
  'content-type',
  'user-agent',
  'idempotency-key',
  WEBHOOK_ID_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
  WEBHOOK_SIGNATURE_HEADER,
]);

/** Whether a configured header is replaced by one of ours. */
function isOverridden(header: HeaderConf): boolean {
  return DEFAULT_HEADER_NAMES.has(header.name.toLowerCase());
}

/**
 * The header list an invocation log shows: the configured headers that were sent, exactly as configured (env headers
 * as `{ name, valueFromEnv }`, never their value), then our defaults. Configured headers that our defaults
 * replaced are left out, so the log shows what the receiver got. Needs no env, so it is available even when
 * resolution fails.
 */
export function loggedHeaders(configured: readonly HeaderConf[], defaults: DefaultHeaderValues): LoggedHeader[] {
  return [...configured.filter((header) => !isOverridden(header)), ...defaultHeaders(defaults)];
}

/** The headers to send, and how to log them. */
export interface ResolvedHeaders {
  /** In sending order: configured (env values filled in), then the defaults. May contain secrets: never log it. */
  send: HeaderValue[];
  /** See `loggedHeaders`. */
  logged: LoggedHeader[];
}

/**
 * Resolves configured headers against `env` and appends our defaults.
 *
 * @param env the worker's environment, injected.
 * @throws MissingEnvVarError naming every `valueFromEnv` variable that is unset (an empty value counts as set).
 */
export function resolveHeaders(
  configured: readonly HeaderConf[],
  env: Env,
  defaults: DefaultHeaderValues,
): ResolvedHeaders {
  const missing: string[] = [];
  const send: HeaderValue[] = [];
  for (const header of configured) {
    if (isOverridden(header)) continue;
    if ('value' in header) {
      send.push({ name: header.name, value: header.value });
      continue;
    }
    const value = lookupEnv(env, header.valueFromEnv);
    if (value === undefined) {
      if (!missing.includes(header.valueFromEnv)) missing.push(header.valueFromEnv);
    } else {
      send.push({ name: header.name, value });
    }
  }
  if (missing.length > 0) throw new MissingEnvVarError(missing);
  send.push(...defaultHeaders(defaults));
  return { send, logged: loggedHeaders(configured, defaults) };
}
