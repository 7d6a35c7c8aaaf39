import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { z } from 'zod';
import { version } from '../package.json';
import {
  createEnvPolicy,
  DEFAULT_ENV_POLICY,
  type EnvPolicy,
  LOOPBACK_DESTINATIONS_LIST,
  parseDestinationAllowList,
  newSigningSecret,
  parseSigningSecret,
  type SigningKey,
} from './delivery';
import { isLoopbackHost } from './shared/loopback';
import { parseEncryptionKeys } from './temporal/encryption-codec';

/** `User-Agent` sent with every webhook call. */
export const USER_AGENT = `scheduled-events/${version}`;

const booleanFlag = z
  .enum(['true', 'false', '1', '0'])
  .transform((v) => v === 'true' || v === '1')
  .optional();
const positiveInt = z.coerce.number().int().positive();

/** A web origin as browsers send it in `Origin`: scheme, host and port only (`https://app.example.com`). */
const webOrigin = z
  .string()
  .regex(/^https?:\/\/[^/?#\s]+$/, 'an origin is scheme://host[:port], with no path (e.g. https://app.example.com)');

/**
 * Every setting, read from the environment. Each default works with `npm start` on one machine;
 * docs/configuration.md's table mirrors this schema.
 */
export const ConfigSchema = z.object({
  /** Port the HTTP API listens on. (Default: 8080) */
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  /** Interface the HTTP API binds. (Default: 127.0.0.1; use 0.0.0.0 in a container) */
  HOST: z.string().min(1).default('127.0.0.1'),
  /**
   * Port on which the worker (src/worker.ts) serves its metrics (`/metrics`, Prometheus text; counts only, no event
   * data), on HOST. (Default: none; under `npm start` the API's `/metrics` shows the worker's too)
   */
  WORKER_METRICS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  /**
   * Port on which the worker's Temporal SDK serves its own metrics (task latencies, slots, polls; its Prometheus
   * exporter), on HOST. (Default: none)
   */
  TEMPORAL_SDK_METRICS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  /** Admin secret required by every API call; unset leaves the API open (development only). */
  ADMIN_SECRET: z.string().min(1).optional(),
  /** Hasura's name for the admin secret, accepted too. */
  HASURA_GRAPHQL_ADMIN_SECRET: z.string().min(1).optional(),
  /**
   * Origins (comma-separated) whose web pages may call the API, with CORS. A request carrying any other `Origin` is
   * refused (403). (Default: none: web pages cannot use the API; curl, the SDK and servers send no Origin)
   */
  ALLOWED_ORIGINS: z
    .string()
    .default('')
    .transform((list) =>
      list
        .split(',')
        .map((o) => o.trim())
        .filter((o) => o !== ''),
    )
    .pipe(z.array(webOrigin)),
  /**
   * Destinations webhooks may call besides public addresses (comma-separated): IPs, CIDRs (`10.0.0.0/8`), host names
   * (`receiver.internal`) and host globs (`*.svc.cluster.local`). Loopback, private, link-local (cloud metadata),
   * CGNAT, multicast and other special addresses are refused otherwise, checked on the address connected to.
   * (Default: none; `npm start` uses 127.0.0.0/8,::1 when unset, for local development)
   */
  WEBHOOK_ALLOWED_DESTINATIONS: z
    .string()
    .default('')
    .transform((text, ctx) => {
      const parsed = parseDestinationAllowList(text);
      if (parsed.ok) return parsed.list;
      for (const problem of parsed.problems) ctx.addIssue({ code: 'custom', message: problem });
      return z.NEVER;
    }),
  /**
   * Environment variables webhooks may read through `{{NAME}}` and `value_from_env` (comma-separated names and `*`
   * globs). The service's own settings are never readable; names that look like credentials (`*_SECRET`,
   * `*TOKEN*`, `AWS_*`, …; src/delivery/env-policy.ts) only when an entry other than `*` matches them.
   * (Default: `*`)
   */
  WEBHOOK_ENV_ALLOW: z
    .string()
    .default('*')
    .superRefine((text, ctx) => {
      const built = createEnvPolicy(text);
      if (!built.ok) for (const problem of built.problems) ctx.addIssue({ code: 'custom', message: problem });
    }),
  /**
   * Secrets that sign every webhook call (Standard Webhooks, `webhook-signature`; docs/security.md), space- or
   * comma-separated: each `whsec_` and the base64 of 24 to 64 random bytes. Give two during a rotation (the new one and
   * the old one); every call then carries a signature for each, and receivers accept either. Read by the worker at
   * start. (Default: none, calls are unsigned; `npm start` with its development defaults uses a development secret
   * kept in .temporal/ and prints it)
   */
  WEBHOOK_SIGNING_SECRETS: z
    .string()
    .default('')
    .transform((text, ctx) => {
      const secrets = text.split(/[\s,]+/).filter((secret) => secret !== '');
      const keys: SigningKey[] = [];
      secrets.forEach((secret, i) => {
        try {
          keys.push(parseSigningSecret(secret));
        } catch (error) {
          // The message never quotes the secret: it names its position.
          const reason = error instanceof Error ? error.message : String(error);
          ctx.addIssue({ code: 'custom', message: `secret ${i + 1} of ${secrets.length}: ${reason}` });
        }
      });
      return keys;
    }),
  /**
   * Keys that encrypt every payload in Temporal (AES-256-GCM): `<id>:<base64 of 32 bytes>`, separated by spaces or
   * commas; the first encrypts, all decrypt, so add the new key first and keep the old ones while events sealed with
   * them may be read (their retention). The API and the worker need the same list. (Default: none: payloads are
   * stored as JSON, readable by anyone who can read Temporal's database or open its Web UI; docs/security.md)
   */
  PAYLOAD_ENCRYPTION_KEYS: z
    .string()
    .default('')
    .transform((text, ctx) => {
      try {
        return parseEncryptionKeys(text);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: error instanceof Error ? error.message : String(error) });
        return [];
      }
    }),
  /** Temporal frontend, host:port. (Default: 127.0.0.1:7233, the dev server) */
  TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
  /** Temporal namespace. (Default: default) */
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  /** Task queue shared by the API (which starts workflows) and the worker. (Default: scheduled-events) */
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('scheduled-events'),
  /** Connect with TLS. (Default: false; implied by an API key or client certificate) */
  TEMPORAL_TLS: booleanFlag,
  /** Temporal Cloud API key. */
  TEMPORAL_API_KEY: z.string().min(1).optional(),
  /** mTLS client certificate and key, as PEM file paths. */
  TEMPORAL_TLS_CLIENT_CERT_PATH: z.string().min(1).optional(),
  TEMPORAL_TLS_CLIENT_KEY_PATH: z.string().min(1).optional(),
  /** TLS server name, when it differs from the address's host. */
  TEMPORAL_TLS_SERVER_NAME: z.string().min(1).optional(),
  /** Base URL of the Temporal Web UI, for links to an event's page. (Default: http://127.0.0.1:8233) */
  // http(s) only: the console and the REST API hand it out as a link (a `javascript:` URL would be a script).
  TEMPORAL_UI_URL: z
    .url({ protocol: /^https?$/, error: 'TEMPORAL_UI_URL must be an http:// or https:// URL' })
    .default('http://127.0.0.1:8233'),
  /**
   * Attempts one worker runs at once, holding (prepared 30 s before due, up to 3 min in a burst) or calling. Bounds
   * how many events due close together can be prepared ahead; the rest are called as slots free up. (Default: 10000; a held
   * attempt is a timer, a call is I/O-bound)
   */
  WORKER_MAX_CONCURRENT_ATTEMPTS: positiveInt.default(10_000),
  /**
   * Workflows one worker keeps in its cache. A pending event sleeps on a server-side timer and needs no cache
   * entry; an evicted one is replayed (a few events) when its timer fires. The cache is what bounds the worker's
   * memory: about 0.4 MB per entry (measured: 3,000 events created through a worker left it at 304 MB RSS with 50
   * entries, 514 MB with 500, 683 MB with 1,000). A burst of 1,000 was as punctual with 100 entries as with 2,000.
   * (Default: 250)
   */
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).default(250),
  /** Workflow tasks one worker runs at once. (Default: 100) */
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: z.coerce.number().int().min(2).default(100),
  /**
   * Webhook calls a starting worker makes to a throwaway local receiver before it takes work, so that the HTTP path
   * is loaded and optimized before the first events: a fresh worker's first burst of 1,000 due at once had p99
   * ~560 ms without it, ~400 ms with it (bench, ours alone; src/delivery/warm-up.ts). The worker also warms up
   * while it holds a burst (BURST_WARM_UP_CALLS in src/worker.ts). 0 turns both off. (Default: 1000; about 0.6 s of
   * CPU, made while the workflow bundle is built)
   */
  WORKER_WARM_UP_CALLS: z.coerce.number().int().min(0).default(1000),
  /** Seconds a stopping worker lets in-flight attempts finish before abandoning them. (Default: 30) */
  WORKER_SHUTDOWN_GRACE_SECONDS: z.coerce.number().min(0).default(30),
});
export type Config = z.infer<typeof ConfigSchema>;

/** A configuration that cannot be used; the message lists every problem. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Reads and checks the configuration; throws ConfigError (entrypoints print it and exit). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = ConfigSchema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${problems.join('\n')}`);
  }
  if (result.data.TEMPORAL_SDK_METRICS_PORT !== undefined && sdkMetricsHost(result.data.HOST) === undefined) {
    throw new ConfigError(
      `invalid configuration: HOST=${result.data.HOST} must be an IP address (or localhost) when ` +
        'TEMPORAL_SDK_METRICS_PORT is set: the Temporal SDK binds its metrics to an address, not a name',
    );
  }
  if (Boolean(result.data.TEMPORAL_TLS_CLIENT_CERT_PATH) !== Boolean(result.data.TEMPORAL_TLS_CLIENT_KEY_PATH)) {
    throw new ConfigError(
      'invalid configuration: set both TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH',
    );
  }
  return result.data;
}

/**
 * Why the API must not start with this configuration, or undefined: an API open to the network, without an admin
 * secret, would schedule calls (with the worker's environment at hand) for anyone who reaches it.
 */
export function unsafeExposure(config: Config): string | undefined {
  if (adminSecretOf(config) !== undefined || isLoopbackHost(config.HOST)) return undefined;
  return `HOST=${config.HOST} is not a loopback address: set ADMIN_SECRET, or bind 127.0.0.1`;
}

/** What webhooks may read of the environment: WEBHOOK_ENV_ALLOW, never any of the service's own settings. */
export function envPolicyOf(config: Config): EnvPolicy {
  const built = createEnvPolicy(config.WEBHOOK_ENV_ALLOW, Object.keys(ConfigSchema.shape));
  // loadConfig has checked the list already.
  return built.ok ? built.policy : DEFAULT_ENV_POLICY;
}

/**
 * `npm start`'s environment: unless WEBHOOK_ALLOWED_DESTINATIONS says otherwise, webhooks may reach receivers on this
 * machine (development). Only for an open API on loopback: an API reachable from elsewhere, or one with an admin
 * secret (behind a proxy), would let its callers reach this machine's ports. The worker and the API started on their
 * own allow public addresses only.
 */
export function withDevelopmentDefaults(env: NodeJS.ProcessEnv): { env: NodeJS.ProcessEnv; developing: boolean } {
  const developing =
    env.WEBHOOK_ALLOWED_DESTINATIONS === undefined &&
    env.ADMIN_SECRET === undefined &&
    env.HASURA_GRAPHQL_ADMIN_SECRET === undefined &&
    isLoopbackHost(env.HOST ?? '127.0.0.1');
  return { env: developing ? { ...env, WEBHOOK_ALLOWED_DESTINATIONS: LOOPBACK_DESTINATIONS_LIST } : env, developing };
}

/** The startup line that says where webhooks may go. */
export function describeDestinations(config: Config): string {
  const { entries } = config.WEBHOOK_ALLOWED_DESTINATIONS;
  return entries.length === 0
    ? 'webhooks: public addresses only (WEBHOOK_ALLOWED_DESTINATIONS is empty)'
    : `webhooks: public addresses, and ${entries.join(', ')} (WEBHOOK_ALLOWED_DESTINATIONS)`;
}

/** Where the worker's Temporal SDK serves its metrics (`host:port`), or undefined without TEMPORAL_SDK_METRICS_PORT. */
export function sdkMetricsAddress(config: Config): string | undefined {
  const port = config.TEMPORAL_SDK_METRICS_PORT;
  const host = sdkMetricsHost(config.HOST);
  return port === undefined || host === undefined ? undefined : `${host}:${port}`;
}

/** HOST as the SDK's socket address wants it (an IP, IPv6 in brackets), or undefined for a name it cannot bind. */
function sdkMetricsHost(host: string): string | undefined {
  if (host === 'localhost') return '127.0.0.1';
  const version = isIP(host);
  return version === 6 ? `[${host}]` : version === 4 ? host : undefined;
}

/** The startup line that says whether webhook calls are signed. */
export function describeSigning(config: Config, developmentSecretFile?: string): string {
  const keys = config.WEBHOOK_SIGNING_SECRETS.length;
  if (keys === 0) return 'webhooks: unsigned (set WEBHOOK_SIGNING_SECRETS to sign them; docs/security.md)';
  const source = developmentSecretFile === undefined ? 'WEBHOOK_SIGNING_SECRETS' : developmentSecretFile;
  return `webhooks: signed (webhook-signature) with ${keys === 1 ? 'one key' : `${keys} keys`} from ${source}`;
}

/**
 * The development signing secret of this checkout: kept in the dev server's data dir (made on first use, readable by
 * this user only) so that a local receiver configured with it keeps verifying across restarts. `dir` is the dev
 * server's data dir (`.temporal`, or TEMPORAL_DATA_DIR).
 */
export function developmentSigningSecret(dir: string): { secret: string; file: string } {
  const file = join(dir, 'webhook-signing-secret');
  const read = (): string => {
    const secret = readFileSync(file, 'utf8').trim();
    try {
      parseSigningSecret(secret);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`${file} does not hold a webhook signing secret (${reason}); delete it to have a new one made`);
    }
    return secret;
  };
  try {
    return { secret: read(), file };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  try {
    // `wx`: another `npm start` that made it first wins, and both use its secret.
    writeFileSync(file, `${newSigningSecret(randomBytes)}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return { secret: read(), file };
}

/** The admin secret, from either name. */
export function adminSecretOf(config: Config): string | undefined {
  return config.ADMIN_SECRET ?? config.HASURA_GRAPHQL_ADMIN_SECRET;
}

/** Connection settings for the Temporal client and worker. */
export function temporalConnectionOf(config: Config) {
  return {
    address: config.TEMPORAL_ADDRESS,
    namespace: config.TEMPORAL_NAMESPACE,
    tls: config.TEMPORAL_TLS,
    apiKey: config.TEMPORAL_API_KEY,
    clientCertPem: config.TEMPORAL_TLS_CLIENT_CERT_PATH && readFileSync(config.TEMPORAL_TLS_CLIENT_CERT_PATH, 'utf8'),
    clientKeyPem: config.TEMPORAL_TLS_CLIENT_KEY_PATH && readFileSync(config.TEMPORAL_TLS_CLIENT_KEY_PATH, 'utf8'),
    serverNameOverride: config.TEMPORAL_TLS_SERVER_NAME,
    encryptionKeys: config.PAYLOAD_ENCRYPTION_KEYS,
  };
}
