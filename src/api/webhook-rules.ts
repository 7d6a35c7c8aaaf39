/**
 * The operator's rules on where webhooks go and what they read, checked when an event is created or edited, so a
 * refused event is a 400 naming the field and the setting rather than an attempt that fails later. The worker
 * enforces the same rules again at delivery (src/delivery): it alone knows what a `{{NAME}}` host resolves to.
 */
import net from 'node:net';
import {
  DEFAULT_ENV_POLICY,
  type DestinationAllowList,
  destinationRefusal,
  envNameRefusal,
  type EnvPolicy,
  hostOfUrl,
  NO_ALLOWED_DESTINATIONS,
  templateVariables,
} from '../delivery';
import { ApiError, jsonPath } from './errors';
import type { HeaderConfJson } from './schemas/common';

export interface WebhookRules {
  /** WEBHOOK_ENV_ALLOW as a policy. */
  envPolicy: EnvPolicy;
  /** WEBHOOK_ALLOWED_DESTINATIONS. */
  allowedDestinations: DestinationAllowList;
}

/** Public destinations only, and the default env policy: what the API applies when not told otherwise. */
export const DEFAULT_WEBHOOK_RULES: WebhookRules = {
  envPolicy: DEFAULT_ENV_POLICY,
  allowedDestinations: NO_ALLOWED_DESTINATIONS,
};

/** `localhost` and its subdomains always name this machine (RFC 6761), so they are loopback without a lookup. */
const LOCALHOST = /(^|\.)localhost$/;

/** Why a webhook URL without templates points at a refused address, or null (names are checked at delivery). */
function literalDestinationProblem(rules: WebhookRules, webhook: string): string | null {
  let url: URL;
  try {
    url = new URL(webhook);
  } catch {
    return null; // the schema has refused it already
  }
  const host = hostOfUrl(url);
  const address = LOCALHOST.test(host) ? '127.0.0.1' : host;
  if (net.isIP(address) === 0) return null;
  const reason = destinationRefusal(rules.allowedDestinations, host, address);
  if (reason === null) return null;
  return (
    `webhook points at ${host}, which is not a public address (${reason}); webhooks call public addresses only, ` +
    'unless WEBHOOK_ALLOWED_DESTINATIONS allows this one'
  );
}

/**
 * The part of a webhook whose host is known before delivery: all of it without templates; with templates, the part
 * before the first one when the host has ended by then (`http://10.0.0.1/{{PATH}}` → `http://10.0.0.1/`); otherwise
 * nothing to check here (the worker checks what the host resolves to).
 */
function withLiteralHost(webhook: string): string {
  const firstVariable = webhook.indexOf('{{');
  if (firstVariable === -1) return webhook;
  const prefix = webhook.slice(0, firstVariable);
  return /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*[/?#]/i.test(prefix) ? prefix : '';
}

/**
 * Throws a 400 for the first part of `fields` the rules refuse: an env name the webhook or a header reads, or a
 * literal destination. `path` is where the fields sit in the request (`$.args`, `$.events[2]`, `$`).
 */
export function checkWebhookRules(
  rules: WebhookRules,
  fields: { webhook?: string; failure_webhook?: string; headers?: readonly HeaderConfJson[] },
  path: string,
): void {
  for (const field of ['webhook', 'failure_webhook'] as const) {
    const url = fields[field];
    if (url === undefined) continue;
    const webhookPath = jsonPath(path, [field]);
    for (const name of templateVariables(url)) {
      const refusal = envNameRefusal(rules.envPolicy, name);
      if (refusal !== null) throw ApiError.parseFailed(`${field} may not use {{${name}}}: ${refusal}`, webhookPath);
    }
    const problem = literalDestinationProblem(rules, withLiteralHost(url));
    if (problem !== null) throw ApiError.parseFailed(problem.replace(/^webhook /, `${field} `), webhookPath);
  }
  fields.headers?.forEach((header, index) => {
    if (!('value_from_env' in header)) return;
    const refusal = envNameRefusal(rules.envPolicy, header.value_from_env);
    if (refusal !== null) {
      throw ApiError.parseFailed(
        `value_from_env is refused: ${refusal}`,
        jsonPath(path, ['headers', index, 'value_from_env']),
      );
    }
  });
}
