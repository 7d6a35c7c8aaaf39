/**
 * Runs a zod schema over request input and turns the first problem into a Hasura-style 400:
 * `{"path": "$.args.retry_conf.num_retries", "error": "num_retries cannot be a negative value", "code": "parse-failed"}`.
 *
 * Messages: a schema may set its own (Hasura's texts live in the schemas); otherwise `fieldErrorMap` writes one that
 * names the field. A required key that is absent is reported as aeson does, at the parent's path:
 * `{"path": "$.args", "error": "key \"webhook\" not found"}`.
 */
import type { z } from 'zod';
import { ApiError, jsonPath } from './errors';

/** A custom zod issue carrying `params: { code: NOT_SUPPORTED_PARAM }` becomes a 400 `not-supported`. */
export const NOT_SUPPORTED_PARAM = 'not-supported';

type Issue = z.core.$ZodIssue;
type RawIssue = z.core.$ZodRawIssue;

const ARTICLES: Partial<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'a boolean',
  object: 'an object',
  array: 'an array',
  null: 'null',
};

/** The JSON type of a value, as a message shows it: `null`, `array`, `object`, `string`, `number`, `boolean`. */
function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** A short, safe description of what was received: numbers and booleans as themselves, anything else by type. */
function received(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return jsonTypeOf(value);
}

/**
 * The name a message gives the field at `path`: its last key plus any array indices after it
 * (`['headers', 0]` is `headers[0]`), or `rootLabel` for the input itself.
 */
function fieldLabel(path: readonly PropertyKey[], rootLabel: string): string {
  let indices = '';
  for (let i = path.length - 1; i >= 0; i--) {
    const segment = path[i];
    if (typeof segment === 'number') {
      indices = `[${segment}]${indices}`;
      continue;
    }
    return `${String(segment)}${indices}`;
  }
  return `${rootLabel}${indices}`;
}

/** Messages for the issues a schema did not word itself; each names the field. */
function describeIssue(issue: RawIssue, label: string): string {
  switch (issue.code) {
    case 'invalid_type':
      return `${label} must be ${ARTICLES[issue.expected] ?? issue.expected} (got ${received(issue.input)})`;
    case 'invalid_value':
      return `${label} must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_small': {
      if (issue.origin === 'string')
        return Number(issue.minimum) <= 1
          ? `${label} must not be empty`
          : `${label} must have at least ${issue.minimum} characters`;
      if (issue.origin === 'array') return `${label} must have at least ${issue.minimum} items`;
      return `${label} must be ${issue.inclusive ? 'at least' : 'greater than'} ${issue.minimum}`;
    }
    case 'too_big': {
      if (issue.origin === 'string') return `${label} must have at most ${issue.maximum} characters`;
      if (issue.origin === 'array') return `${label} must have at most ${issue.maximum} items`;
      return `${label} must be ${issue.inclusive ? 'at most' : 'less than'} ${issue.maximum}`;
    }
    case 'invalid_format':
      return `${label} is not a valid ${issue.format}`;
    case 'not_multiple_of':
      return `${label} must be a multiple of ${issue.divisor}`;
    default:
      return `${label} is invalid`;
  }
}

/** A per-parse zod error map; it ranks below messages set in the schemas. */
function fieldErrorMap(rootLabel: string): z.core.$ZodErrorMap {
  return (issue) => describeIssue(issue, fieldLabel(issue.path ?? [], rootLabel));
}

/** The label of the input at `basePath`: `$.args` is `args`, `$.args[0].args` is `args`, `$` is `request body`. */
function rootLabelOf(basePath: string): string {
  return /\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(basePath)?.[1] ?? 'request body';
}

/** One zod issue as an API error, with `basePath` (where the parsed input sits in the request) in front. */
export function issueToApiError(issue: Issue, basePath: string): ApiError {
  const last = issue.path[issue.path.length - 1];
  // JSON has no `undefined`, so an issue about an undefined input is a required key that is absent.
  const absent = (issue.code === 'invalid_type' || issue.code === 'invalid_value') && issue.input === undefined;
  if (absent && typeof last === 'string') {
    return ApiError.missingKey(last, jsonPath(basePath, issue.path.slice(0, -1)));
  }
  const path = jsonPath(basePath, issue.path);
  if (issue.code === 'custom' && issue.params?.['code'] === NOT_SUPPORTED_PARAM) {
    return ApiError.notSupported(issue.message, path);
  }
  return ApiError.parseFailed(issue.message, path);
}

/**
 * Parses `input` with `schema`, or throws the ApiError for its first issue.
 *
 * @param basePath where `input` sits in the request body, e.g. `$.args` or `$.args[2].args`.
 */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, basePath: string): z.output<S> {
  // reportInput keeps each issue's input, which is how an absent key is told from a wrong one.
  const result = schema.safeParse(input, { reportInput: true, error: fieldErrorMap(rootLabelOf(basePath)) });
  if (result.success) return result.data;
  const [first] = result.error.issues;
  if (!first) throw ApiError.parseFailed(`${rootLabelOf(basePath)} is invalid`, basePath);
  throw issueToApiError(first, basePath);
}
