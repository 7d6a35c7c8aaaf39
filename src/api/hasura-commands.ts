/**
 * Reading Hasura's command envelope, `{"type": "<command>", "args": ...}`, into a typed command. Parsing is separate
 * from running so that a `bulk` is validated in full before any of its items runs: as in Hasura, which decodes the
 * whole request before executing it, a bad item leaves nothing half-done.
 */
import { ApiError, ROOT_PATH, jsonPath } from './errors';
import {
  CreateScheduledEventArgsSchema,
  DeleteScheduledEventArgsSchema,
  GetScheduledEventInvocationsArgsSchema,
  GetScheduledEventsArgsSchema,
  UNSUPPORTED_CREATE_KEYS,
  type CreateScheduledEventArgs,
  type DeleteScheduledEventArgs,
  type GetScheduledEventInvocationsArgs,
  type GetScheduledEventsArgs,
  type ScheduledEventType,
} from './schemas';
import { parseOrThrow } from './validation';
import { checkWebhookRules, DEFAULT_WEBHOOK_RULES, type WebhookRules } from './webhook-rules';

/** Commands served on `POST /v1/metadata`. */
export const METADATA_COMMANDS = [
  'create_scheduled_event',
  'delete_scheduled_event',
  'get_scheduled_events',
  'get_scheduled_event_invocations',
  'bulk',
] as const;

/** Commands served on `POST /v1/query`, Hasura's deprecated endpoint (its own tests still use it). */
export const QUERY_COMMANDS = ['create_scheduled_event', 'bulk'] as const;

export type Endpoint = 'metadata' | 'query';

/**
 * Items in one `bulk`. Hasura has no limit; ours matches the REST batch limit so that one request cannot hold the
 * connection for minutes (items run one after another).
 */
export const MAX_BULK_ITEMS = 1000;

/** A parsed command. `path` is where it sits in the request (`$`, or `$.args[2]` inside a bulk). */
export type HasuraCommand =
  | { type: 'create_scheduled_event'; path: string; args: CreateScheduledEventArgs }
  | { type: 'delete_scheduled_event'; path: string; args: DeleteScheduledEventArgs }
  | { type: 'get_scheduled_events'; path: string; args: GetScheduledEventsArgs }
  | { type: 'get_scheduled_event_invocations'; path: string; args: GetScheduledEventInvocationsArgs }
  | { type: 'bulk'; path: string; items: HasuraCommand[] };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The JSON path of a command's args. */
export function argsPath(commandPath: string): string {
  return jsonPath(commandPath, ['args']);
}

function unknownCommand(type: string, endpoint: Endpoint, path: string): ApiError {
  if (endpoint === 'query' && (METADATA_COMMANDS as readonly string[]).includes(type)) {
    return ApiError.parseFailed(`unknown query command "${type}": it is served on /v1/metadata`, path);
  }
  return ApiError.parseFailed(`unknown ${endpoint} command "${type}"`, path);
}

/** Only one-off events exist here; cron triggers are refused rather than answered with an empty result. */
function requireOneOff(type: ScheduledEventType, path: string): void {
  if (type === 'cron') {
    throw ApiError.notSupported('cron triggers are not supported: only "one_off" scheduled events are', path);
  }
}

/** Refuses `request_transform` / `response_transform` (null counts as absent, as in Hasura). */
export function rejectUnsupportedCreateKeys(args: unknown, path: string): void {
  if (!isRecord(args)) return;
  for (const key of UNSUPPORTED_CREATE_KEYS) {
    const value = args[key];
    if (value !== undefined && value !== null) {
      throw ApiError.notSupported(`${key} is not supported for one-off scheduled events`, jsonPath(path, [key]));
    }
  }
}

/**
 * Parses one command envelope found at `path` in the request body.
 *
 * @throws ApiError (400 `parse-failed` or `not-supported`) for the first problem found, with its JSON path.
 */
export function parseHasuraCommand(
  body: unknown,
  endpoint: Endpoint,
  path: string = ROOT_PATH,
  rules: WebhookRules = DEFAULT_WEBHOOK_RULES,
): HasuraCommand {
  if (!isRecord(body)) {
    throw ApiError.parseFailed('expected an object with keys "type" and "args"', path);
  }
  const { type, args } = body;
  if (type === undefined) throw ApiError.missingKey('type', path);
  if (typeof type !== 'string') throw ApiError.parseFailed('type must be a string', jsonPath(path, ['type']));
  const known: readonly string[] = endpoint === 'metadata' ? METADATA_COMMANDS : QUERY_COMMANDS;
  if (!known.includes(type)) throw unknownCommand(type, endpoint, path);
  if (args === undefined) throw ApiError.missingKey('args', path);
  const at = argsPath(path);

  switch (type) {
    case 'create_scheduled_event': {
      rejectUnsupportedCreateKeys(args, at);
      const parsed = parseOrThrow(CreateScheduledEventArgsSchema, args, at);
      checkWebhookRules(rules, parsed, at);
      return { type, path, args: parsed };
    }
    case 'delete_scheduled_event': {
      const parsed = parseOrThrow(DeleteScheduledEventArgsSchema, args, at);
      requireOneOff(parsed.type, jsonPath(at, ['type']));
      return { type, path, args: parsed };
    }
    case 'get_scheduled_events': {
      const parsed = parseOrThrow(GetScheduledEventsArgsSchema, args, at);
      requireOneOff(parsed.type, jsonPath(at, ['type']));
      return { type, path, args: parsed };
    }
    case 'get_scheduled_event_invocations': {
      const parsed = parseOrThrow(GetScheduledEventInvocationsArgsSchema, args, at);
      requireOneOff(parsed.type, jsonPath(at, ['type']));
      return { type, path, args: parsed };
    }
    case 'bulk':
      return { type, path, items: parseBulkItems(args, endpoint, at, path, rules) };
    default:
      // `known` and the cases above list the same commands.
      throw unknownCommand(type, endpoint, path);
  }
}

function parseBulkItems(
  args: unknown,
  endpoint: Endpoint,
  at: string,
  bulkPath: string,
  rules: WebhookRules,
): HasuraCommand[] {
  if (bulkPath !== ROOT_PATH) {
    // Nesting buys nothing and would let one request recurse as deep as its body allows.
    throw ApiError.parseFailed('bulk commands cannot be nested', bulkPath);
  }
  if (!Array.isArray(args)) throw ApiError.parseFailed('args of bulk must be an array of commands', at);
  if (args.length > MAX_BULK_ITEMS) {
    throw ApiError.parseFailed(`bulk accepts at most ${MAX_BULK_ITEMS} commands (got ${args.length})`, at);
  }
  return args.map((item: unknown, index) => parseHasuraCommand(item, endpoint, jsonPath(at, [index]), rules));
}
