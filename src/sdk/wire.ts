/**
 * The REST API's JSON shapes (snake_case), as the server sends and accepts them. Internal to the SDK: callers see the
 * camelCase types of ./types.ts.
 *
 * Not restated here: each is the type of the zod schema the server validates requests with or describes its answers
 * with (src/api/schemas/), taken as a type import, so the SDK ships none of it and compiles against the server's own
 * definitions. Requests are the schemas' input types (what a client may send), responses their output types (what a
 * correct server sends); ./from-wire.ts still checks the parts whose absence would otherwise surface as a confusing
 * `TypeError` far from the call.
 */
import type { z } from 'zod';
import type { HeaderConfJson } from '../api/schemas/common';
import type { CreateEventBodySchema, PatchEventBodySchema } from '../api/schemas/events';
import type { ErrorBody, HasuraEvent, HasuraInvocation, RetryConfObjectSchema } from '../api/schemas/responses';

/** A configured header on the wire. */
export type WireHeader = HeaderConfJson;

/** `retry_conf` as the server returns it (every field filled in). */
export type WireRetryConf = z.output<typeof RetryConfObjectSchema>;

/** Body of `POST /v1/events` and one item of `POST /v1/events/batch`. */
export type WireCreateArgs = z.input<typeof CreateEventBodySchema>;

/** Body of `PATCH /v1/events/{id}`. */
export type WirePatch = z.input<typeof PatchEventBodySchema>;

/** The event object. */
export type WireEvent = HasuraEvent;

/** The invocation object. */
export type WireInvocation = HasuraInvocation;

/**
 * The error body of every failed request (docs/contract.md §4), with any `code`: a newer server may answer with a
 * code this SDK does not know yet.
 */
export type WireError = Omit<ErrorBody, 'code'> & { code: string };
