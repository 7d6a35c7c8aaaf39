/**
 * Per-host or per-URL answers a webhook client keeps (each URL parsed and each host's literal-address decision in
 * ./keep-alive-fetch.ts, the agent's name and connection options in ./preconnect.ts), so that a burst's calls to one
 * receiver pay a map lookup at the instant instead of the work each time. At most MAX_REMEMBERED_HOSTS per map,
 * cleared when full, so that a stream of distinct hosts or URLs cannot grow it (URLs of 8 KiB at most,
 * MAX_WEBHOOK_LENGTH, plus env values: a few tens of MB at worst).
 */
export const MAX_REMEMBERED_HOSTS = 1024;

/** `memo`'s answer for `key`, computed and kept on first use (`compute` must not return undefined). */
export function remembered<V>(memo: Map<string, V>, key: string, compute: () => V): V {
  let value = memo.get(key);
  if (value === undefined) {
    value = compute();
    if (memo.size >= MAX_REMEMBERED_HOSTS) memo.clear();
    memo.set(key, value);
  }
  return value;
}
