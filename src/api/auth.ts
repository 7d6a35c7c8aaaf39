/**
 * Admin-secret authentication (docs/contract.md §5), with Hasura's headers and messages: `X-Hasura-Admin-Secret` (or its
 * deprecated alias `X-Hasura-Access-Key`), or `Authorization: Bearer <secret>` for clients that only speak bearer
 * tokens.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { ApiError } from './errors';

export const MISSING_SECRET_MESSAGE = 'x-hasura-admin-secret/x-hasura-access-key required, but not found';
export const WRONG_SECRET_MESSAGE = 'invalid x-hasura-admin-secret/x-hasura-access-key';

const BEARER = /^Bearer\s+(\S.*)$/i;

/**
 * Both sides are hashed first so that `timingSafeEqual` compares equal-length buffers: comparing the raw strings
 * would leak the secret's length, and a plain `===` its prefix, through response timing.
 */
function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** The credential a request presents, by precedence; undefined when it presents none. */
function presentedSecret(header: (name: string) => string | undefined): string | undefined {
  const direct = header('x-hasura-admin-secret') ?? header('x-hasura-access-key');
  if (direct !== undefined) return direct;
  const authorization = header('authorization');
  return authorization === undefined ? undefined : BEARER.exec(authorization)?.[1]?.trim();
}

export interface AdminSecretAuthOptions {
  adminSecret: string;
  /** Exact paths served without a secret (health checks, API docs). */
  publicPaths: readonly string[];
}

/**
 * Middleware that answers 401 `access-denied` unless the request carries the admin secret.
 *
 * @throws Error at construction when the secret is empty: an empty secret would be a lock anyone can open.
 */
export function adminSecretAuth({ adminSecret, publicPaths }: AdminSecretAuthOptions): MiddlewareHandler {
  if (adminSecret === '') throw new Error('the admin secret must not be empty');
  const expected = digest(adminSecret);
  const open = new Set(publicPaths);
  return async (c, next) => {
    if (open.has(c.req.path)) return next();
    const presented = presentedSecret((name) => c.req.header(name));
    if (presented === undefined) throw new ApiError('access-denied', MISSING_SECRET_MESSAGE);
    if (!timingSafeEqual(digest(presented), expected)) throw new ApiError('access-denied', WRONG_SECRET_MESSAGE);
    return next();
  };
}
