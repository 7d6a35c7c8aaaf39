/**
 * Which environment variables a webhook may read (`{{NAME}}` in its URL, `value_from_env` in a header). The worker's
 * environment holds the service's own credentials and, often, cloud credentials; anyone who can create an event
 * could otherwise send them to any host. So a name resolves only when the operator's allow-list
 * (`WEBHOOK_ENV_ALLOW`, names and `*` globs) matches it, and two kinds of names are refused even then:
 *
 * - the service's own settings (every name src/config.ts reads, `TEMPORAL_*`, `ADMIN_SECRET`, `HASURA_GRAPHQL_*`):
 *   always, as Hasura refuses `HASURA_GRAPHQL_*`;
 * - names that look like credentials (`AWS_*`, `*_TOKEN`, `*SECRET*`, …): unless an allow-list entry other than the
 *   bare `*` matches them, so that sending a secret is a decision the operator wrote down.
 *
 * The same policy answers at create (the API's 400) and at delivery (the worker refuses the attempt), so an event
 * created before a rule changed cannot get around it.
 */

/** Names the service reads for itself, whatever the configuration schema lists besides. */
const SERVICE_SETTING_PATTERNS = ['TEMPORAL_*', 'ADMIN_SECRET', 'HASURA_GRAPHQL_*'] as const;

/**
 * Names that usually hold credentials. Matched without regard to case (`github_token` is one too). Ordinary names
 * such as `WEBHOOK_BASE_URL` or `ACTION_HOST` match none of them.
 */
export const CREDENTIAL_NAME_PATTERNS = [
  'AWS_*',
  'AMAZON_*',
  'GOOGLE_*',
  'GCP_*',
  'GCLOUD_*',
  'CLOUDSDK_*',
  'AZURE_*',
  'ARM_*',
  '*TOKEN*',
  '*SECRET*',
  '*PASSWORD*',
  '*PASSWD*',
  '*CREDENTIAL*',
  '*PRIVATE*',
  '*APIKEY*',
  '*API_KEY*',
  '*_KEY',
  '*_KEYS',
  '*_KEY_*',
  '*_PWD',
  '*_PASS',
  '*_PAT',
  '*CREDS*',
  '*_PEM',
  '*_AUTH',
  'BASIC_AUTH*',
  '*_DSN',
  '*_CONNECTION_STRING',
  '*_CONN_STR',
  // URLs that usually carry a password in their user-info.
  'DATABASE_URL',
  '*_DATABASE_URL',
  '*REDIS_URL',
  '*MONGO*_URI',
  '*MONGO*_URL',
  '*POSTGRES*_URL',
  '*MYSQL*_URL',
  'PG*_URL',
  '*AMQP*_URL',
  '*RABBITMQ*_URL',
  '*DATABASE_URI',
  '*REDIS_URI',
  '*DB_URI',
  '*DB_URL',
  '*_BROKER_URL',
  // Chat webhooks are bearer URLs; proxies often carry user:password.
  'SLACK_*',
  'DISCORD_*',
  '*_PROXY',
  '*JWT*',
  '*PASSPHRASE*',
  '*_HEADERS',
  'DOCKER_*',
  'SSH_*',
  'GPG_*',
  'NPM_CONFIG_*',
] as const;

/** Every name is allowed, except the two kinds above. */
export const DEFAULT_ENV_ALLOW = '*';

/** An env name pattern: a name with `*` standing for any run of characters. */
const PATTERN = /^[A-Za-z0-9_*]+$/;

export interface EnvPolicy {
  /** The allow-list as the operator wrote it (for messages and the startup line). */
  readonly allow: readonly string[];
  readonly allowMatchers: readonly RegExp[];
  /** Exact names, or patterns, that are never allowed (the service's settings). */
  readonly serviceMatchers: readonly RegExp[];
  readonly credentialMatchers: readonly RegExp[];
}

/** A glob as an anchored regular expression; `*` is any run of characters. */
function globToRegExp(glob: string, caseInsensitive: boolean): RegExp {
  const body = glob
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`, caseInsensitive ? 'i' : '');
}

/**
 * Builds the policy from the operator's comma-separated allow-list and the names of the service's settings.
 *
 * @returns the policy, or the problems (one per bad entry) for a configuration error.
 */
export function createEnvPolicy(
  allowList: string = DEFAULT_ENV_ALLOW,
  serviceSettings: readonly string[] = [],
): { ok: true; policy: EnvPolicy } | { ok: false; problems: string[] } {
  const allow = allowList
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  const problems = allow
    .filter((entry) => !PATTERN.test(entry))
    .map((entry) => `"${entry}" is not an environment variable name or a glob of one (letters, digits, "_" and "*")`);
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    policy: {
      allow,
      allowMatchers: allow.map((entry) => globToRegExp(entry, false)),
      serviceMatchers: [...SERVICE_SETTING_PATTERNS, ...serviceSettings].map((name) => globToRegExp(name, false)),
      credentialMatchers: CREDENTIAL_NAME_PATTERNS.map((name) => globToRegExp(name, true)),
    },
  };
}

/** The policy with the default allow-list and only the built-in service names: what code gets when not configured. */
export const DEFAULT_ENV_POLICY: EnvPolicy = (() => {
  const built = createEnvPolicy();
  if (!built.ok) throw new Error(built.problems.join('; '));
  return built.policy;
})();

/**
 * Why a webhook may not read the variable `name`, as a sentence naming the rule and the setting that changes it; or
 * null when it may.
 */
export function envNameRefusal(policy: EnvPolicy, name: string): string | null {
  if (policy.serviceMatchers.some((matcher) => matcher.test(name))) {
    return `environment variable "${name}" is one of the service's own settings, which webhooks never read`;
  }
  const allowedBy = policy.allow.filter((_, i) => policy.allowMatchers[i]?.test(name));
  if (allowedBy.length === 0) {
    // The list itself is not quoted: it would tell a caller which credentials are readable.
    return `environment variable "${name}" is not allowed by WEBHOOK_ENV_ALLOW`;
  }
  const looksLikeCredential = policy.credentialMatchers.some((matcher) => matcher.test(name));
  // `*`, `**`, …: a pattern of nothing but wildcards names nothing.
  if (looksLikeCredential && allowedBy.every((entry) => entry.replaceAll('*', '') === '')) {
    return (
      `environment variable "${name}" looks like a credential: a webhook reads it only when WEBHOOK_ENV_ALLOW ` +
      'names it (or a pattern such as MY_APP_*), not just "*"'
    );
  }
  return null;
}
