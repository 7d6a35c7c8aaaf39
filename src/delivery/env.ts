/** The environment as delivery code sees it: injected by the caller (the worker passes its own `process.env`). */
export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Looks up `name` in `env`, returning `undefined` when it is unset. Only own string properties count, so a template
 * such as `{{constructor}}` on a plain-object env does not pick up `Object.prototype.constructor`.
 */
export function lookupEnv(env: Env, name: string): string | undefined {
  if (!Object.hasOwn(env, name)) return undefined;
  const value = env[name];
  return typeof value === 'string' ? value : undefined;
}
