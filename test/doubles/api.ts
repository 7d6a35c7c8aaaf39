/**
 * Helpers for tests that drive the app through `app.request()` (no server, no Temporal), for the API's and the SDK's
 * tests. Under test/, so that it never ships in `dist`.
 */
import { createApp, type ApiLogger, type AppDeps } from '../../src/api/app';
import { createEnvPolicy, NO_ALLOWED_DESTINATIONS } from '../../src/delivery';
import { FakeEventScheduler, type FakeSchedulerOptions } from './fake-scheduler';
import type { WebhookRules } from '../../src/api/webhook-rules';

/**
 * The rules of an operator who allowed the credential-like env names these tests use (WEBHOOK_ENV_ALLOW
 * `*,*SECRET*,*TOKEN*`), public destinations only: tests of other things need not rename their variables. Tests of
 * the rules themselves pass DEFAULT_WEBHOOK_RULES.
 */
export const OPERATOR_ALLOWED_TEST_SECRETS: WebhookRules = (() => {
  const built = createEnvPolicy('*,*SECRET*,*TOKEN*');
  if (!built.ok) throw new Error(built.problems.join());
  return { envPolicy: built.policy, allowedDestinations: NO_ALLOWED_DESTINATIONS };
})();

/** A logger that keeps what it was given, for assertions. */
export class RecordingLogger implements ApiLogger {
  readonly entries: { level: 'warn' | 'error'; message: string; details?: Record<string, unknown> }[] = [];
  warn(message: string, details?: Record<string, unknown>): void {
    this.entries.push({ level: 'warn', message, details });
  }
  error(message: string, details?: Record<string, unknown>): void {
    this.entries.push({ level: 'error', message, details });
  }
}

export interface TestResponse {
  status: number;
  headers: Headers;
  /** The parsed JSON body (tests assert on its shape). */
  body: unknown;
  text: string;
}

/** An app over a fresh fake scheduler, with a recording logger and a helper to POST JSON. */
export function createTestApp(
  options: { adminSecret?: string; scheduler?: FakeSchedulerOptions; webhookRules?: WebhookRules } = {},
) {
  const scheduler = new FakeEventScheduler(options.scheduler);
  const logger = new RecordingLogger();
  const webhookRules = options.webhookRules ?? OPERATOR_ALLOWED_TEST_SECRETS;
  const deps: AppDeps = { scheduler, logger, adminSecret: options.adminSecret, webhookRules };
  const app = createApp(deps);

  async function request(path: string, init: RequestInit = {}): Promise<TestResponse> {
    const res = await app.request(path, init);
    const text = await res.text();
    let body: unknown = undefined;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: tests look at `text`
    }
    return { status: res.status, headers: res.headers, body, text };
  }

  /** POSTs `body` (JSON-encoded unless already a string) to `path`. */
  function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<TestResponse> {
    return request(path, {
      method: 'POST',
      body: typeof body === 'string' ? body : JSON.stringify(body),
      headers: { 'Content-Type': 'application/json', ...headers },
    });
  }

  return { app, scheduler, logger, request, post };
}
