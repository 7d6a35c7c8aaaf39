/**
 * Every `code` the API answers with, and the HTTP status each one goes with (docs/contract.md §4). The server answers
 * with these (src/api/errors.ts), the error schema lists them (src/api/schemas/responses.ts), and the SDK maps a batch
 * item's code back to its status (src/sdk/to-api-error.ts). Here, not with the schemas, because the SDK needs it at
 * run time and ships without zod.
 */
export const ERROR_STATUS = {
  'invalid-json': 400,
  'parse-failed': 400,
  'not-supported': 400,
  'access-denied': 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  'payload-too-large': 413,
  'unsupported-media-type': 415,
  unexpected: 500,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;
