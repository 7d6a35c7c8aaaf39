import {
  createEnvPolicy,
  CREDENTIAL_NAME_PATTERNS,
  DEFAULT_ENV_POLICY,
  envNameRefusal,
  type EnvPolicy,
} from './env-policy';

/** The policy for `allowList` (and the service's settings), failing the test when the list is refused. */
function policyOf(allowList: string, serviceSettings: readonly string[] = []): EnvPolicy {
  const built = createEnvPolicy(allowList, serviceSettings);
  if (!built.ok) throw new Error(`unexpected problems: ${built.problems.join('; ')}`);
  return built.policy;
}

const SERVICE_SETTINGS = ['ADMIN_SECRET', 'TEMPORAL_API_KEY', 'TEMPORAL_ADDRESS', 'HASURA_GRAPHQL_ADMIN_SECRET'];
const CREDENTIAL_NAMES = [
  'AWS_SECRET_ACCESS_KEY',
  'GITHUB_TOKEN',
  'github_token',
  'DB_PASSWORD',
  'STRIPE_API_KEY',
  'MY_WEBHOOK_SECRET',
  'DATABASE_URL',
];
const ORDINARY_NAMES = ['WEBHOOK_BASE_URL', 'ACTION_HOST', 'RECEIVER_PATH'];

describe('envNameRefusal: the service settings', () => {
  it.each(SERVICE_SETTINGS)('never lets a webhook read %s, even under the default "*"', (name) => {
    expect(envNameRefusal(DEFAULT_ENV_POLICY, name)).toBe(
      `environment variable "${name}" is one of the service's own settings, which webhooks never read`,
    );
  });

  it.each(SERVICE_SETTINGS)('never lets a webhook read %s, even when the allow-list names it', (name) => {
    const policy = policyOf(`${name},*`);
    expect(envNameRefusal(policy, name)).toMatch(/one of the service's own settings/);
  });

  it('refuses names passed as serviceSettings, even when named, and only those exactly', () => {
    const policy = policyOf('PORT,HOST,ALLOWED_ORIGINS,*', ['PORT', 'HOST', 'ALLOWED_ORIGINS']);
    for (const name of ['PORT', 'HOST', 'ALLOWED_ORIGINS']) {
      expect(envNameRefusal(policy, name)).toMatch(/one of the service's own settings/);
    }
    // Exact names: another variable that starts with one is an ordinary name.
    expect(envNameRefusal(policy, 'PORTAL_URL')).toBeNull();
    expect(envNameRefusal(policy, 'HOSTNAME')).toBeNull();
    // Without them, the default policy reads those names (they are the caller's to list).
    expect(envNameRefusal(DEFAULT_ENV_POLICY, 'PORT')).toBeNull();
  });

  it('refuses every TEMPORAL_* and HASURA_GRAPHQL_* name, not only the known ones', () => {
    const policy = policyOf('*,TEMPORAL_*,HASURA_GRAPHQL_*');
    expect(envNameRefusal(policy, 'TEMPORAL_SOMETHING_NEW')).toMatch(/one of the service's own settings/);
    expect(envNameRefusal(policy, 'HASURA_GRAPHQL_DATABASE_URL')).toMatch(/one of the service's own settings/);
  });
});

describe('envNameRefusal: credential-like names', () => {
  it.each(CREDENTIAL_NAMES)('refuses %s under the default "*", naming the rule and WEBHOOK_ENV_ALLOW', (name) => {
    const refusal = envNameRefusal(DEFAULT_ENV_POLICY, name);
    expect(refusal).toContain(`environment variable "${name}" looks like a credential`);
    expect(refusal).toContain('WEBHOOK_ENV_ALLOW');
  });

  it.each(CREDENTIAL_NAMES)('refuses %s under an explicit "*" in a longer list that does not match it', (name) => {
    expect(envNameRefusal(policyOf('*,OTHER_NAME,APP_*'), name)).toMatch(/looks like a credential/);
  });

  it.each(CREDENTIAL_NAMES)('allows %s when the allow-list names it', (name) => {
    expect(envNameRefusal(policyOf(`*,${name}`), name)).toBeNull();
    expect(envNameRefusal(policyOf(name), name)).toBeNull();
  });

  it('allows a credential-like name matched by a glob other than "*"', () => {
    const policy = policyOf('*,AWS_*,*_TOKEN,DB_*,STRIPE_*,MY_WEBHOOK_*,DATABASE_*');
    for (const name of CREDENTIAL_NAMES.filter((n) => n !== 'github_token'))
      expect(envNameRefusal(policy, name)).toBeNull();
  });

  it('matches credential patterns in any letter case, but allow-list entries case-sensitively', () => {
    // `github_token` looks like a credential (case-insensitive match) ...
    expect(envNameRefusal(DEFAULT_ENV_POLICY, 'github_token')).toMatch(/looks like a credential/);
    // ... and an allow entry in another case does not name it: env names are case-sensitive.
    expect(envNameRefusal(policyOf('*,GITHUB_TOKEN'), 'github_token')).toMatch(/looks like a credential/);
    expect(envNameRefusal(policyOf('*,github_token'), 'github_token')).toBeNull();
    expect(envNameRefusal(policyOf('*,*_token'), 'github_token')).toBeNull();
  });

  it('lists patterns that cover the names above and none of the ordinary ones', () => {
    expect(CREDENTIAL_NAME_PATTERNS).toEqual(expect.arrayContaining(['AWS_*', '*TOKEN*', '*SECRET*', '*PASSWORD*']));
    for (const name of ORDINARY_NAMES) expect(envNameRefusal(DEFAULT_ENV_POLICY, name)).toBeNull();
  });
});

describe('envNameRefusal: ordinary names and narrow allow-lists', () => {
  it.each(ORDINARY_NAMES)('allows %s under the default policy', (name) => {
    expect(envNameRefusal(DEFAULT_ENV_POLICY, name)).toBeNull();
    expect(createEnvPolicy()).toMatchObject({ ok: true, policy: { allow: ['*'] } });
  });

  it('refuses names not in a narrow allow-list, naming the setting, not the list', () => {
    const policy = policyOf('WEBHOOK_BASE_URL, RECEIVER_*');
    expect(envNameRefusal(policy, 'WEBHOOK_BASE_URL')).toBeNull();
    expect(envNameRefusal(policy, 'RECEIVER_PATH')).toBeNull();
    expect(envNameRefusal(policy, 'ACTION_HOST')).toBe(
      'environment variable "ACTION_HOST" is not allowed by WEBHOOK_ENV_ALLOW',
    );
    // A glob matches the whole name, not a part of it.
    expect(envNameRefusal(policy, 'MY_RECEIVER_PATH')).toMatch(/is not allowed by WEBHOOK_ENV_ALLOW/);
    expect(envNameRefusal(policy, 'WEBHOOK_BASE_URL_2')).toMatch(/is not allowed by WEBHOOK_ENV_ALLOW/);
  });

  it('refuses every name under an empty allow-list, naming the setting', () => {
    const policy = policyOf(' , ');
    expect(policy.allow).toEqual([]);
    expect(envNameRefusal(policy, 'WEBHOOK_BASE_URL')).toBe(
      'environment variable "WEBHOOK_BASE_URL" is not allowed by WEBHOOK_ENV_ALLOW',
    );
  });

  it('refuses a service setting before saying it is not in the list', () => {
    expect(envNameRefusal(policyOf('WEBHOOK_BASE_URL'), 'ADMIN_SECRET')).toMatch(/one of the service's own settings/);
  });

  it('reads no regular-expression syntax out of names', () => {
    const policy = policyOf('A_*');
    expect(envNameRefusal(policy, 'A_.*')).toBeNull(); // `*` is the glob's, any run of characters
    expect(envNameRefusal(policy, 'AB')).toMatch(/is not allowed by WEBHOOK_ENV_ALLOW/);
    expect(envNameRefusal(policy, 'X|A_B')).toMatch(/is not allowed by WEBHOOK_ENV_ALLOW/);
  });
});

describe('createEnvPolicy', () => {
  it('trims entries and skips empty ones', () => {
    const policy = policyOf('  A ,, B_* ,');
    expect(policy.allow).toEqual(['A', 'B_*']);
  });

  it('reports every bad entry, quoting it', () => {
    const built = createEnvPolicy('GOOD,BAD-NAME,also bad,A.B,$(id),*');
    expect(built.ok).toBe(false);
    if (built.ok) return;
    expect(built.problems).toEqual([
      '"BAD-NAME" is not an environment variable name or a glob of one (letters, digits, "_" and "*")',
      '"also bad" is not an environment variable name or a glob of one (letters, digits, "_" and "*")',
      '"A.B" is not an environment variable name or a glob of one (letters, digits, "_" and "*")',
      '"$(id)" is not an environment variable name or a glob of one (letters, digits, "_" and "*")',
    ]);
  });
});

describe('explicit permission', () => {
  it('does not count a pattern of wildcards only (**) as naming a credential', () => {
    const built = createEnvPolicy('**');
    if (!built.ok) throw new Error(built.problems.join());
    expect(envNameRefusal(built.policy, 'GITHUB_TOKEN')).toMatch(/looks like a credential/);
  });

  it('does not quote the allow-list in its refusal (it would tell a caller which secrets are readable)', () => {
    const built = createEnvPolicy('WEBHOOK_BASE_URL,BILLING_HOOK_SECRET');
    if (!built.ok) throw new Error(built.problems.join());
    const refusal = envNameRefusal(built.policy, 'OTHER');
    expect(refusal).toMatch(/WEBHOOK_ENV_ALLOW/);
    expect(refusal).not.toMatch(/BILLING_HOOK_SECRET/);
  });

  it.each([
    'SMTP_PASS',
    'REDIS_URL',
    'MONGODB_URI',
    'POSTGRES_URL',
    'AMQP_URL',
    'GITHUB_PAT',
    'REGISTRY_CREDS',
    'SSL_KEY_PEM',
    'BASIC_AUTH',
    'SESSION_KEYS',
    'ENCRYPTION_KEY_BASE64',
  ])('%s looks like a credential', (name) => {
    expect(envNameRefusal(DEFAULT_ENV_POLICY, name)).toMatch(/looks like a credential/);
  });
});
