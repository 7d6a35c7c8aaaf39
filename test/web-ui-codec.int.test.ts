/**
 * The Temporal Web UI reads encrypted events through the API's codec endpoint, in a real Chromium (Debian's, through
 * playwright-core). A dev server of its own with its Web UI (temporal-dev.sh, as `npm start` runs it, pointed at the
 * API's /codec by TEMPORAL_UI_CODEC_ENDPOINT), an API with PAYLOAD_ENCRYPTION_KEYS on a real port, one event with a
 * marker in its payload: the event's page in the UI shows the marker, which is ciphertext in the server.
 */
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { serve, type ServerType } from '@hono/node-server';
import type { Client } from '@temporalio/client';
import { chromium, type Browser } from 'playwright-core';
import { createApp } from '../src/api/app';
import { createTemporalClient, TemporalEventScheduler } from '../src/temporal';
import { EncryptionCodec, type EncryptionKey } from '../src/temporal/encryption-codec';
import { freePort, onFreePorts } from './helpers/free-port';
import { webhookConfig } from './helpers/stack';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCRIPT = join(__dirname, '..', 'temporal-dev.sh');
const run = promisify(execFile);

const keys: EncryptionKey[] = [{ id: 'k1', key: randomBytes(32) }];
let dataDir: string;
let scriptEnv: NodeJS.ProcessEnv;
let client: Client;
let api: ServerType;
let apiOrigin: string;
let uiOrigin: string;
let browser: Browser;

beforeAll(async () => {
  const apiPort = await freePort();
  let temporalPort = 0;
  dataDir = mkdtempSync(join(tmpdir(), 'web-ui-codec-'));
  apiOrigin = `http://127.0.0.1:${apiPort}`;
  // A port picked free may be taken before the server binds it (another suite's dev server starting meanwhile).
  await onFreePorts(2, async ([uiPort, port]) => {
    temporalPort = port!;
    uiOrigin = `http://127.0.0.1:${uiPort}`;
    scriptEnv = {
      ...process.env,
      TEMPORAL_DATA_DIR: dataDir,
      TEMPORAL_PORT: String(temporalPort),
      TEMPORAL_UI_PORT: String(uiPort),
      TEMPORAL_HEADLESS: '',
      TEMPORAL_UI_CODEC_ENDPOINT: `${apiOrigin}/codec`,
    };
    await run('bash', [SCRIPT, 'start'], { env: scriptEnv, timeout: 120_000 });
  });

  client = createTemporalClient({ address: `127.0.0.1:${temporalPort}`, namespace: 'default', encryptionKeys: keys });
  const app = createApp({
    scheduler: new TemporalEventScheduler({ client, taskQueue: `ui-codec-${randomUUID()}` }),
    temporalUiUrl: uiOrigin,
    payloadCodec: new EncryptionCodec(keys),
    webhookRules: webhookConfig().rules,
    logger: { warn: () => undefined, error: (...args: unknown[]) => console.error(...args) },
  });
  api = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, port: apiPort, hostname: '127.0.0.1' }, () => resolve(s));
  });
  expect((api.address() as AddressInfo).port).toBe(apiPort);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  api?.close();
  await client?.connection.close();
  await run('bash', [SCRIPT, 'stop'], { env: scriptEnv, timeout: 60_000 }).catch(() => undefined);
  rmSync(dataDir, { recursive: true, force: true });
});

test("the Web UI shows an encrypted event's payload, decoded by the API's codec endpoint", async () => {
  const marker = `ui-marker-${randomUUID().slice(0, 8)}`;
  const created = await fetch(`${apiOrigin}/v1/events`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      webhook: 'http://127.0.0.1:9/never',
      schedule_at: '2031-01-01T00:00:00Z',
      payload: { note: marker },
      comment: `comment ${marker}`,
    }),
  });
  expect(created.status).toBe(201);
  const { id } = (await created.json()) as { id: string };

  // Sealed in the server: the raw history holds no marker.
  const history = await client.workflow.getHandle(id).fetchHistory();
  expect(JSON.stringify(history)).not.toContain(marker);

  const page = await browser.newPage();
  const decodes: number[] = [];
  page.on('response', (response) => {
    if (response.url().startsWith(`${apiOrigin}/codec/decode`)) decodes.push(response.status());
  });
  await page.goto(`${uiOrigin}/namespaces/default/workflows/${encodeURIComponent(id)}`);
  await page.getByText(marker).first().waitFor({ timeout: 30_000 });
  await page.screenshot({ path: join(__dirname, '..', 'test-results', 'web-ui-decoded.png'), fullPage: true });
  expect(decodes.length).toBeGreaterThan(0);
  expect(decodes.every((status) => status === 200)).toBe(true);
  await page.close();
});
