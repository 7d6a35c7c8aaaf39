/**
 * Errors raised while turning a stored webhook definition into a request. They never reach the HTTP layer as
 * exceptions at delivery time: `prepareWebhook` catches them and the call records a failed attempt.
 */

/**
 * One or more environment variables named by the webhook URL template or by a `valueFromEnv` header are not set in
 * the worker's environment. Hasura records such an attempt as a failure and retries it per `retry_conf`
 * (ScheduledEventsInvalidEnvVarSpec); we do the same.
 */
export class MissingEnvVarError extends Error {
  /** The missing variable names, in the order they were first referenced, without duplicates. */
  public readonly missing: readonly string[];

  constructor(missing: readonly string[]) {
    super(`environment variables not found: ${missing.join(', ')}`);
    this.name = 'MissingEnvVarError';
    this.missing = [...missing];
  }
}

/** The `code` of a refused destination, for callers that see the error through another realm or a wrapper. */
export const DESTINATION_REFUSED_CODE = 'EWEBHOOKDESTINATION';

/**
 * The webhook's destination is an address the service does not call (loopback, private, link-local, …; see
 * src/delivery/destinations.ts) and no `WEBHOOK_ALLOWED_DESTINATIONS` entry allows it. Raised where the connection
 * is made, on the address actually connected to, so no answer from DNS can get around it.
 */
export class DestinationRefusedError extends Error {
  public readonly code = DESTINATION_REFUSED_CODE;

  /**
   * @param address the refused address when the caller wrote it (an IP literal); null for one a name resolved to,
   *   which the record must not disclose (it would map internal DNS for whoever can read invocations).
   */
  constructor(address: string | null, reason: string) {
    super(
      `destination refused: ${address ?? 'the host resolves to an address that'} is not a public address ` +
        `(${reason}); webhooks call public addresses only, unless WEBHOOK_ALLOWED_DESTINATIONS allows it`,
    );
    this.name = 'DestinationRefusedError';
  }
}

/** Whether `error` is a DestinationRefusedError (duck-typed: undici and jest may hand it over from another realm). */
export function isDestinationRefused(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === DESTINATION_REFUSED_CODE;
}
