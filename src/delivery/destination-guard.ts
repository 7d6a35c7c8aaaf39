/**
 * The SSRF guard, where it cannot be talked around: on the address a connection is actually made to. A webhook's
 * host is resolved once, by the `lookup` the HTTP agent hands to `net.connect`; every address in the answer is
 * checked (src/delivery/destinations.ts) and the socket connects to a checked one, so there is no second lookup for
 * a rebinding DNS server to answer differently. An IP literal skips `lookup` in Node, so `literalRefusal` checks it
 * before the request. Redirects are never followed, so the checked destination is the only one.
 *
 * The lookup runs when a connection is opened, which for a held attempt is ahead of its instant (the client opens
 * the connection while the attempt holds; src/delivery/preconnect.ts), not on the hot path of a burst.
 */
import dns from 'node:dns';
import net from 'node:net';
import { destinationRefusal, type DestinationAllowList, hostOfUrl, parseDestinationAllowList } from './destinations';
import { DestinationRefusedError } from './errors';

/** Receivers on this machine: what `npm start` allows by default (development), and the worker's warm-up. */
export const LOOPBACK_DESTINATIONS_LIST = '127.0.0.0/8,::1';
export const LOOPBACK_DESTINATIONS: DestinationAllowList = (() => {
  const parsed = parseDestinationAllowList(LOOPBACK_DESTINATIONS_LIST);
  if (!parsed.ok) throw new Error(parsed.problems.join('; '));
  return parsed.list;
})();

/** `dns.lookup`'s shape, as `net.connect` calls it (with `all: true` when it tries several addresses). */
export type LookupLike = (
  hostname: string,
  options: dns.LookupAllOptions,
  callback: (error: NodeJS.ErrnoException | null, addresses: dns.LookupAddress[]) => void,
) => void;

export interface DestinationGuardOptions {
  /** Destinations allowed besides public addresses (WEBHOOK_ALLOWED_DESTINATIONS). */
  allowedDestinations: DestinationAllowList;
  /** The resolver; tests inject one that answers as a rebinding DNS server would. (Default: `dns.lookup`) */
  lookup?: LookupLike;
}

/** The refusal of a URL whose host is an IP literal, or null (names are checked when they are resolved). */
export function literalRefusal(list: DestinationAllowList, url: URL): DestinationRefusedError | null {
  const host = hostOfUrl(url);
  if (net.isIP(host) === 0) return null;
  const reason = destinationRefusal(list, host, host);
  return reason === null ? null : new DestinationRefusedError(host, reason);
}

/**
 * A `lookup` for `net.connect` that answers only with allowed addresses: when any address a name resolves to is
 * refused, the whole name is (an answer mixing public and private addresses is how rebinding attacks start).
 */
export function guardedLookup(options: DestinationGuardOptions): net.LookupFunction {
  const { allowedDestinations: list } = options;
  const resolve: LookupLike = options.lookup ?? ((hostname, opts, callback) => dns.lookup(hostname, opts, callback));
  const lookup = (
    hostname: string,
    lookupOptions: dns.LookupOptions,
    callback: (error: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void,
  ): void => {
    resolve(hostname, { ...lookupOptions, all: true }, (error, addresses) => {
      if (error) return callback(error, '');
      if (addresses.length === 0) {
        return callback(Object.assign(new Error('no address found for the host'), { code: 'ENOTFOUND' }), '');
      }
      for (const { address } of addresses) {
        const reason = destinationRefusal(list, hostname, address);
        if (reason !== null) return callback(new DestinationRefusedError(null, reason), '');
      }
      if (lookupOptions.all) return callback(null, addresses);
      const [first] = addresses;
      return callback(null, first?.address ?? '', first?.family);
    });
  };
  return lookup;
}
