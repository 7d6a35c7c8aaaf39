/** Webhook delivery: the HTTP call and everything it needs resolved first. No Temporal, no Hono, no `process.env`. */
export { DestinationRefusedError, isDestinationRefused, MissingEnvVarError } from './errors';
export { createEnvPolicy, DEFAULT_ENV_POLICY, envNameRefusal, type EnvPolicy } from './env-policy';
export {
  addressAllowed,
  destinationRefusal,
  type DestinationAllowList,
  forbiddenAddressReason,
  hostOfUrl,
  NO_ALLOWED_DESTINATIONS,
  parseDestinationAllowList,
} from './destinations';
export {
  guardedLookup,
  literalRefusal,
  LOOPBACK_DESTINATIONS,
  LOOPBACK_DESTINATIONS_LIST,
  type LookupLike,
} from './destination-guard';
export { redactor, REDACTED } from './redact';
export { type Env, lookupEnv } from './env';
export { resolveWebhookTemplate, templateVariables, webhookTemplateIssues, webhookUrlIssue } from './resolve-template';
export {
  defaultHeaders,
  loggedHeaders,
  resolveHeaders,
  type DefaultHeaderValues,
  type HeaderValue,
  type ResolvedHeaders,
} from './resolve-headers';
export {
  createKeepAliveFetch,
  type FetchLike,
  type KeepAliveFetchOptions,
  type StartedCall,
  type WebhookResponse,
} from './keep-alive-fetch';
export { parseRetryAfter } from './retry-after';
export {
  newSigningSecret,
  parseSigningSecret,
  type SigningKey,
  WEBHOOK_ID_HEADER,
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
  webhookSignature,
} from './signature';
export {
  REQUEST_NOT_MADE_STATUS,
  callWebhook,
  createWebhookFetch,
  describeFetchError,
  normalizeWebhookBody,
  preconnectWebhook,
  prepareWebhook,
  sendWebhook,
  type PreparedWebhook,
  type SendWebhookDeps,
  type SendWebhookRequest,
  type WebhookRequest,
} from './send-webhook';
export { CallStop, callStopOn } from './call-stop';
export { warmUpWebhookPath } from './warm-up';
