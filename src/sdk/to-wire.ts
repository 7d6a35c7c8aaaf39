/**
 * camelCase SDK input → the API's snake_case request bodies and query values.
 */
import type { HeaderConf, RetryConf } from '../shared/event';
import type { CreateEventOptions, EventPatch, TimeInput } from './types';
import type { WireCreateArgs, WireHeader, WirePatch, WireRetryConf } from './wire';

/**
 * A time for the wire: a `Date` as `toISOString()` (UTC), a string as given, so the caller's offset reaches the
 * server untouched (the server checks the format and answers 400 with a message naming the field).
 *
 * @throws TypeError for something that is neither; RangeError for an invalid `Date`.
 */
export function toIsoTime(time: TimeInput, field: string): string {
  if (typeof time === 'string') return time;
  if (!(time instanceof Date)) throw new TypeError(`${field} must be a Date or an ISO-8601 string`);
  if (Number.isNaN(time.getTime())) throw new RangeError(`${field} is an invalid Date`);
  return time.toISOString();
}

/** A configured header for the wire. */
export function toWireHeader(header: HeaderConf): WireHeader {
  return 'valueFromEnv' in header
    ? { name: header.name, value_from_env: header.valueFromEnv }
    : { name: header.name, value: header.value };
}

/** The retry fields that are set, in wire names; absent ones stay absent so the server's defaults or merge apply. */
export function toWireRetryConf(conf: Partial<RetryConf>): Partial<WireRetryConf> {
  const wire: Partial<WireRetryConf> = {};
  if (conf.numRetries !== undefined) wire.num_retries = conf.numRetries;
  if (conf.retryIntervalSeconds !== undefined) wire.retry_interval_seconds = conf.retryIntervalSeconds;
  if (conf.timeoutSeconds !== undefined) wire.timeout_seconds = conf.timeoutSeconds;
  if (conf.toleranceSeconds !== undefined) wire.tolerance_seconds = conf.toleranceSeconds;
  return wire;
}

/**
 * The body of a create (`POST /v1/events`, or one item of the batch).
 *
 * @throws TypeError/RangeError for an invalid `scheduleAt` (see toIsoTime).
 */
export function toWireCreate(options: CreateEventOptions): WireCreateArgs {
  const args: WireCreateArgs = { webhook: options.webhook, schedule_at: toIsoTime(options.scheduleAt, 'scheduleAt') };
  if (options.payload !== undefined) args.payload = options.payload;
  if (options.headers !== undefined) args.headers = options.headers.map(toWireHeader);
  if (options.retryConf !== undefined) args.retry_conf = toWireRetryConf(options.retryConf);
  if (options.comment !== undefined) args.comment = options.comment;
  if (options.failureWebhook !== undefined) args.failure_webhook = options.failureWebhook;
  return args;
}

/**
 * The body of a `PATCH`: only the fields present in `patch` (a field set to `undefined` counts as absent).
 *
 * @throws TypeError/RangeError for an invalid `scheduleAt` (see toIsoTime).
 */
export function toWirePatch(patch: EventPatch): WirePatch {
  const wire: WirePatch = {};
  if (patch.scheduleAt !== undefined) wire.schedule_at = toIsoTime(patch.scheduleAt, 'scheduleAt');
  if (patch.payload !== undefined) wire.payload = patch.payload;
  if (patch.headers !== undefined) wire.headers = patch.headers.map(toWireHeader);
  if (patch.retryConf !== undefined) wire.retry_conf = toWireRetryConf(patch.retryConf);
  if (patch.comment !== undefined) wire.comment = patch.comment;
  if (patch.webhook !== undefined) wire.webhook = patch.webhook;
  return wire;
}
