/**
 * Reading a request body as JSON, for every route that takes one. The body is read as text whatever its
 * Content-Type, as Hasura does (so `curl -d` works without `-H 'Content-Type: application/json'`).
 */
import type { Context } from 'hono';
import { ApiError } from './errors';

/**
 * Deepest nesting accepted in a body (objects and arrays). Validation, Temporal's payload encoding and the webhook's
 * JSON.stringify all recurse, so a body nested hundreds of thousands deep (which fits in 1 MiB) would overflow the
 * stack; real payloads stay far below this.
 */
export const MAX_JSON_DEPTH = 256;

/** Whether `value` nests objects/arrays deeper than `maxDepth`; iterative, so it cannot overflow itself. */
export function exceedsJsonDepth(value: unknown, maxDepth: number): boolean {
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    if (typeof item.value !== 'object' || item.value === null) continue;
    const depth = item.depth + 1;
    if (depth > maxDepth) return true;
    const children: unknown[] = Array.isArray(item.value) ? item.value : Object.values(item.value);
    for (const child of children) stack.push({ value: child, depth });
  }
  return false;
}

/**
 * The body as JSON.
 *
 * @throws ApiError 400 `invalid-json` (path `$`) when it is not JSON; 400 `parse-failed` when nested deeper than
 *   MAX_JSON_DEPTH.
 */
export async function readJsonBody(c: Context): Promise<unknown> {
  const text = await c.req.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    const reason = err instanceof Error ? err.message : 'unreadable';
    throw new ApiError('invalid-json', `invalid JSON in request body: ${reason}`);
  }
  if (exceedsJsonDepth(body, MAX_JSON_DEPTH)) {
    throw ApiError.parseFailed(`request body nests objects and arrays deeper than ${MAX_JSON_DEPTH} levels`);
  }
  return body;
}
