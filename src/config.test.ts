import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  describeDestinations,
  developmentSigningSecret,
  envPolicyOf,
  loadConfig,
  sdkMetricsAddress,
  withDevelopmentDefaults,
} from './config';
import { envNameRefusal } from './delivery';

describe('webhook settings', () => {
  it('allows public destinations only by default, and says so', () => {
    const config = loadConfig({});
    expect(config.WEBHOOK_ALLOWED_DESTINATIONS.entries).toEqual([]);
    expect(describeDestinations(config)).toBe(
      'webhooks: public addresses only (WEBHOOK_ALLOWED_DESTINATIONS is empty)',
    );
  });

  it('names the loopback allowance npm start uses, when it is set', () => {
    const config = loadConfig({ WEBHOOK_ALLOWED_DESTINATIONS: '127.0.0.0/8,::1' });
    expect(describeDestinations(config)).toBe(
      'webhooks: public addresses, and 127.0.0.0/8, ::1 (WEBHOOK_ALLOWED_DESTINATIONS)',
    );
  });

  it('reads WEBHOOK_SIGNING_SECRETS as keys, space- or comma-separated, and names a bad one without quoting it', () => {
    const a = `whsec_${Buffer.alloc(32, 1).toString('base64')}`;
    const b = `whsec_${Buffer.alloc(24, 2).toString('base64')}`;
    expect(loadConfig({}).WEBHOOK_SIGNING_SECRETS).toEqual([]);
    expect(loadConfig({ WEBHOOK_SIGNING_SECRETS: `${a} ${b}` }).WEBHOOK_SIGNING_SECRETS).toEqual([
      Buffer.alloc(32, 1),
      Buffer.alloc(24, 2),
    ]);
    expect(loadConfig({ WEBHOOK_SIGNING_SECRETS: `${a},${b}` }).WEBHOOK_SIGNING_SECRETS).toHaveLength(2);
    const short = `whsec_${Buffer.alloc(16, 7).toString('base64')}`;
    expect(() => loadConfig({ WEBHOOK_SIGNING_SECRETS: `${a} ${short}` })).toThrow(
      /WEBHOOK_SIGNING_SECRETS.*secret 2 of 2/s,
    );
    try {
      loadConfig({ WEBHOOK_SIGNING_SECRETS: short });
    } catch (err) {
      expect((err as Error).message).not.toContain(short.slice(6));
    }
  });

  it('refuses a malformed destination or env allow-list, naming the entry', () => {
    expect(() => loadConfig({ WEBHOOK_ALLOWED_DESTINATIONS: '10.0.0.0/33' })).toThrow(
      /WEBHOOK_ALLOWED_DESTINATIONS.*10\.0\.0\.0\/33/s,
    );
    expect(() => loadConfig({ WEBHOOK_ENV_ALLOW: 'MY-VAR' })).toThrow(/WEBHOOK_ENV_ALLOW.*MY-VAR/s);
  });

  it("never lets a webhook read any of the service's own settings, even when listed", () => {
    const policy = envPolicyOf(loadConfig({ WEBHOOK_ENV_ALLOW: '*,PORT,ALLOWED_ORIGINS,WORKER_WARM_UP_CALLS' }));
    for (const name of [
      'PORT',
      'HOST',
      'ALLOWED_ORIGINS',
      'WORKER_WARM_UP_CALLS',
      'WEBHOOK_ENV_ALLOW',
      'ADMIN_SECRET',
    ]) {
      expect(envNameRefusal(policy, name)).toMatch(/service's own settings/);
    }
    expect(envNameRefusal(policy, 'WEBHOOK_BASE_URL')).toBeNull();
  });
});

describe('npm start (withDevelopmentDefaults)', () => {
  it('allows loopback destinations for an open API on loopback, and says it did', () => {
    const { env, developing } = withDevelopmentDefaults({});
    expect(developing).toBe(true);
    expect(loadConfig(env).WEBHOOK_ALLOWED_DESTINATIONS.entries).toEqual(['127.0.0.0/8', '::1']);
  });

  it.each([
    ['an explicit WEBHOOK_ALLOWED_DESTINATIONS', { WEBHOOK_ALLOWED_DESTINATIONS: '' }],
    ['an admin secret', { ADMIN_SECRET: 's3cret-admin' }],
    ["Hasura's admin secret", { HASURA_GRAPHQL_ADMIN_SECRET: 's3cret-admin' }],
    ['a non-loopback HOST', { HOST: '0.0.0.0', ADMIN_SECRET: 's3cret-admin' }],
  ])('keeps the production default with %s', (_label, given) => {
    const { env, developing } = withDevelopmentDefaults(given);
    expect(developing).toBe(false);
    expect(loadConfig(env).WEBHOOK_ALLOWED_DESTINATIONS.entries).toEqual([]);
  });
});

describe('developmentSigningSecret', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'signing-'));
    dirs.push(dir);
    return dir;
  };

  it('makes a secret on first use, readable by this user only, and keeps it', () => {
    const dir = join(tempDir(), 'data');
    const first = developmentSigningSecret(dir);
    expect(first.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(statSync(first.file).mode & 0o777).toBe(0o600);
    expect(developmentSigningSecret(dir).secret).toBe(first.secret);
    expect(loadConfig({ WEBHOOK_SIGNING_SECRETS: first.secret }).WEBHOOK_SIGNING_SECRETS).toHaveLength(1);
  });

  it('refuses a file that does not hold a secret, naming the file, and leaves it alone', () => {
    const dir = tempDir();
    const file = join(dir, 'webhook-signing-secret');
    writeFileSync(file, '');
    expect(() => developmentSigningSecret(dir)).toThrow(`${file} does not hold a webhook signing secret`);
    expect(readFileSync(file, 'utf8')).toBe('');
  });
});

describe('Temporal settings', () => {
  it('reads PAYLOAD_ENCRYPTION_KEYS, none by default, and names a bad key without quoting it', () => {
    const key = Buffer.alloc(32, 3).toString('base64');
    expect(loadConfig({}).PAYLOAD_ENCRYPTION_KEYS).toEqual([]);
    const keys = loadConfig({ PAYLOAD_ENCRYPTION_KEYS: `k2:${key} k1:${Buffer.alloc(32, 4).toString('base64')}` });
    expect(keys.PAYLOAD_ENCRYPTION_KEYS.map((k) => k.id)).toEqual(['k2', 'k1']);
    const short = Buffer.alloc(16, 5).toString('base64');
    expect(() => loadConfig({ PAYLOAD_ENCRYPTION_KEYS: `k1:${short}` })).toThrow(
      /PAYLOAD_ENCRYPTION_KEYS.*key 1 of 1/s,
    );
    try {
      loadConfig({ PAYLOAD_ENCRYPTION_KEYS: `k1:${short}` });
    } catch (err) {
      expect((err as Error).message).not.toContain(short);
    }
  });

  it('takes only an http(s) TEMPORAL_UI_URL: it is handed out as a link', () => {
    expect(loadConfig({ TEMPORAL_UI_URL: 'https://temporal.example.com' }).TEMPORAL_UI_URL).toBe(
      'https://temporal.example.com',
    );
    for (const url of ['javascript:alert(1)', 'data:text/html,x', 'ftp://example.com']) {
      expect(() => loadConfig({ TEMPORAL_UI_URL: url })).toThrow(/TEMPORAL_UI_URL/);
    }
  });
});

describe('sdkMetricsAddress', () => {
  it('gives the SDK a socket address it can bind: IPv6 in brackets, localhost as 127.0.0.1, none without the port', () => {
    const port = { TEMPORAL_SDK_METRICS_PORT: '9464' };
    expect(sdkMetricsAddress(loadConfig({}))).toBeUndefined();
    expect(sdkMetricsAddress(loadConfig(port))).toBe('127.0.0.1:9464');
    expect(sdkMetricsAddress(loadConfig({ ...port, HOST: '::1' }))).toBe('[::1]:9464');
    expect(sdkMetricsAddress(loadConfig({ ...port, HOST: 'localhost' }))).toBe('127.0.0.1:9464');
  });

  it('refuses a HOST name the SDK cannot bind when the SDK metrics port is set, and only then', () => {
    expect(() => loadConfig({ TEMPORAL_SDK_METRICS_PORT: '9464', HOST: 'api.internal' })).toThrow(
      /HOST=api.internal must be an IP address/,
    );
    expect(loadConfig({ HOST: 'api.internal' }).HOST).toBe('api.internal');
  });
});
