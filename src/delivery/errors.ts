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
