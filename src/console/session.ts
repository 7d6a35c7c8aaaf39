/**
 * The console's only state outside the page: the admin secret, in `sessionStorage` (this tab, until it closes;
 * never in a URL, never in a cookie, so no other site's page can make the browser send it). The console is an
 * API client like any other (the SDK's client): it sends the secret as `Authorization: Bearer` on each call, and the
 * API checks it.
 */
import { fromWireInvocation } from '../sdk/from-wire';
import { AccessDeniedApiError, ScheduledEventsClient, type Invocation } from '../sdk';
import { apiErrorFromResponse } from '../sdk/to-api-error';

const SECRET_KEY = 'scheduled-events.admin-secret';
/** A console call waits this long before it says the API did not answer. */
const CALL_TIMEOUT_MS = 15_000;

export function storedSecret(): string | undefined {
  return sessionStorage.getItem(SECRET_KEY) ?? undefined;
}

export function storeSecret(secret: string | undefined): void {
  if (secret === undefined) sessionStorage.removeItem(SECRET_KEY);
  else sessionStorage.setItem(SECRET_KEY, secret);
}

/** A client for this page's own origin, with the stored secret; the console retries nothing on its own. */
export function apiClient(): ScheduledEventsClient {
  return new ScheduledEventsClient({
    baseUrl: window.location.origin,
    adminSecret: storedSecret(),
    timeoutMs: CALL_TIMEOUT_MS,
    retries: 0,
  });
}

/** One page of every event's invocations, newest first (Hasura's `get_scheduled_event_invocations`). */
export async function invocationPage(limit: number, offset: number): Promise<Invocation[]> {
  const secret = storedSecret();
  const response = await fetch(`${window.location.origin}/v1/metadata`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      ...(secret === undefined ? {} : { Authorization: `Bearer ${secret}` }),
    },
    body: JSON.stringify({ type: 'get_scheduled_event_invocations', args: { type: 'one_off', limit, offset } }),
    signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
  });
  const text = await response.text();
  if (!response.ok) throw apiErrorFromResponse(response.status, text, null, 1);
  const body = JSON.parse(text) as { invocations: unknown[] };
  return body.invocations.map(fromWireInvocation);
}

export function isAccessDenied(error: unknown): boolean {
  return error instanceof AccessDeniedApiError;
}
