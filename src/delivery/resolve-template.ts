/**
 * `{{ENV_VAR}}` templates in webhook URLs, as Hasura's `Data.URL.Template`: a variable is whatever sits between
 * `{{` and the next `}}`, replaced by the worker's environment at delivery time (so secrets in URLs never enter
 * workflow history). We are stricter than Hasura about the name itself (it must look like an env var name), so a typo
 * such as `{{ HOST }}` is rejected at create time instead of failing every attempt.
 */
import { type Env, lookupEnv } from './env';
import { MissingEnvVarError } from './errors';

/** Where a template variable opens and closes. */
const OPEN = '{{';
const CLOSE = '}}';

/** A POSIX-style environment variable name: letters, digits and `_`, not starting with a digit. */
const ENV_VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The URL schemes a webhook may use: anything else (file:, ftp:, data:) is not a webhook. */
const WEBHOOK_PROTOCOLS: readonly string[] = ['http:', 'https:'];

type TemplatePart = { text: string } | { variable: string };

interface ParsedTemplate {
  parts: TemplatePart[];
  /** Human-readable syntax problems; empty when the template is well-formed. */
  issues: string[];
}

/** Splits a template into literal text and variable names, collecting every syntax problem instead of stopping. */
function parseTemplate(template: string): ParsedTemplate {
  const parts: TemplatePart[] = [];
  const issues: string[] = [];
  let cursor = 0;
  while (cursor < template.length) {
    const open = template.indexOf(OPEN, cursor);
    if (open === -1) {
      parts.push({ text: template.slice(cursor) });
      break;
    }
    if (open > cursor) parts.push({ text: template.slice(cursor, open) });
    const close = template.indexOf(CLOSE, open + OPEN.length);
    if (close === -1) {
      issues.push(`unclosed "${OPEN}" at position ${open}: expected "${CLOSE}"`);
      // Keep the rest as text so resolution of a malformed template (never stored, but possible) stays total.
      parts.push({ text: template.slice(open) });
      break;
    }
    const name = template.slice(open + OPEN.length, close);
    if (name === '') {
      issues.push(`empty variable name in "${OPEN}${CLOSE}" at position ${open}`);
    } else if (!ENV_VAR_NAME.test(name)) {
      issues.push(
        `invalid environment variable name "${name}" at position ${open}: ` +
          'use letters, digits and "_", not starting with a digit',
      );
    }
    parts.push({ variable: name });
    cursor = close + CLOSE.length;
  }
  return { parts, issues };
}

/**
 * The names of the `{{VAR}}` variables a template refers to, in order of first use, without duplicates.
 * Malformed parts are ignored here; see `webhookTemplateIssues`.
 */
export function templateVariables(template: string): string[] {
  const names = parseTemplate(template).parts.flatMap((part) => ('variable' in part ? [part.variable] : []));
  return [...new Set(names)];
}

/**
 * Why `url` is not a usable webhook URL: it must parse as an absolute URL whose scheme is http: or https:.
 * Returns `null` when it is fine. The message never quotes `url`, because after template resolution it may carry
 * secrets from the environment.
 */
export function webhookUrlIssue(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'not an absolute URL';
  }
  if (!WEBHOOK_PROTOCOLS.includes(parsed.protocol)) {
    return `unsupported scheme "${parsed.protocol}": expected http: or https:`;
  }
  return null;
}

/**
 * Create-time validation of a stored webhook (used by the API before anything is scheduled).
 *
 * - Template syntax must be well-formed: every `{{` closed by `}}`, a non-empty env-var-style name inside.
 * - A webhook *without* templates must be an absolute http:/https: URL (Hasura only finds out at delivery; we answer
 *   400 at create). A webhook with templates cannot be checked until its variables are known, at delivery.
 *
 * @returns the problems, each a sentence fragment fit for an API error message; empty when the webhook is acceptable.
 */
export function webhookTemplateIssues(webhook: string): string[] {
  const { parts, issues } = parseTemplate(webhook);
  if (issues.length > 0) return issues;
  const hasVariables = parts.some((part) => 'variable' in part);
  if (hasVariables) return [];
  const urlIssue = webhookUrlIssue(webhook);
  return urlIssue === null ? [] : [`webhook must be an absolute http: or https: URL (${urlIssue})`];
}

/**
 * Replaces every `{{VAR}}` in `template` with `env[VAR]`. A variable set to the empty string counts as set
 * (as in Hasura, which looks the name up and takes whatever value it finds).
 *
 * @param env the environment to read, injected (delivery code never reads `process.env`).
 * @throws MissingEnvVarError naming every unset variable, when at least one is unset.
 */
export function resolveWebhookTemplate(template: string, env: Env): string {
  const missing: string[] = [];
  let resolved = '';
  for (const part of parseTemplate(template).parts) {
    if ('text' in part) {
      resolved += part.text;
      continue;
    }
    const value = lookupEnv(env, part.variable);
    if (value === undefined) {
      if (!missing.includes(part.variable)) missing.push(part.variable);
    } else {
      resolved += value;
    }
  }
  if (missing.length > 0) throw new MissingEnvVarError(missing);
  return resolved;
}
