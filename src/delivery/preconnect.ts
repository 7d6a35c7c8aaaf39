/**
 * Connections opened just before calls that are known to come, so that a call made at its instant finds a connected
 * socket (TCP, and TLS for https) instead of opening one. It matters most for a burst: N calls due at one instant
 * start one after another on the worker's single thread, and with no connection open, none of them is sent before the
 * last has been started (connections complete in a later turn of the event loop). Measured with 1,000 calls at one
 * instant to a receiver in another process (warm code, median of two runs each): first arrival 20–83 ms, p50 166–183
 * ms, p99 227–247 ms with no connection open; 3–4, 67–106 and 127–203 ms with connections open.
 *
 * It hooks into the agent through `createConnection`, which Node documents as the method a custom agent overrides:
 * when the agent needs a new connection for an origin, it gets one of those opened ahead (already connected, or
 * connecting) before a new one is made. The agent still pools, reuses and limits connections as it always does.
 *
 * A connection opened ahead that the receiver closes before its call is dropped, and the call opens a new one; it is
 * not retried like a stale pooled connection, because it waits at most `idleMs` (far under usual idle timeouts) and a
 * resend after a reset could repeat a request that did reach the receiver.
 */
import type http from 'node:http';
import type https from 'node:https';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { remembered } from './remembered';

export interface PreconnectOptions {
  /** The agent's own limit: never more connections to one origin (open, idle, and opened ahead) than this. */
  maxSocketsPerHost: number;
  /**
   * Announced calls due within this many ms of each other count as made at once, each needing its own connection.
   * Calls further apart reuse the same connections (the agent keeps them), so a steady rate opens none ahead.
   */
  sameInstantMs: number;
  /**
   * How long after its due time an announced call still counts, in ms: one not made by then (cancelled, or refused
   * before sending) no longer holds a connection.
   */
  expectedWithinMs: number;
  /**
   * How long a connection opened ahead waits for its call before it is closed, in ms: shorter than receivers'
   * keep-alive timeouts (Node's default is 5 s), so that we close an unused connection before they do.
   */
  idleMs: number;
}

/** What is known about one origin (the agent's name for host, port and TLS options). */
interface Origin {
  /** When each announced call is due, in the order announced (due order, as calls are announced a fixed time ahead). */
  expected: number[];
  /** Connections opened ahead and not yet taken, each with the function that forgets it. */
  ready: Map<Duplex, () => void>;
  /** Forgets the announcements once they have expired, so that an origin no call came for is dropped. */
  expiry: NodeJS.Timeout | null;
}

/** The parts of a Node agent that Node sets but the typings of `http.Agent` leave out (lib/_http_agent.js). */
type AgentInternals = http.Agent & { options: http.AgentOptions; keepAlive: boolean; keepAliveMsecs: number };

/** An agent that can open connections ahead of calls (`preconnect`) and hands them out before opening new ones. */
export class Preconnector {
  private readonly origins = new Map<string, Origin>();
  private readonly known = new Map<string, { connectionOptions: https.RequestOptions; name: string }>();
  private readonly agent: AgentInternals;
  private readonly createConnection: http.Agent['createConnection'];

  constructor(
    agent: http.Agent,
    private readonly options: PreconnectOptions,
    private readonly now: () => number = Date.now,
  ) {
    this.agent = agent as AgentInternals;
    this.createConnection = agent.createConnection.bind(agent);
    agent.createConnection = (connectionOptions: http.ClientRequestArgs, callback) =>
      this.take(agent.getName(connectionOptions)) ?? this.createConnection(connectionOptions, callback);
  }

  /**
   * Announces a call to `url` (http or https) due at `dueAtMs`: opens a connection for it, unless the origin already
   * has one for each announced call due at the same instant (within `sameInstantMs`), counting open, idle and
   * opened-ahead connections, up to `maxSocketsPerHost`.
   */
  preconnect(url: URL, dueAtMs: number): void {
    const { connectionOptions, name } = this.originOf(url);
    const origin: Origin = this.origins.get(name) ?? { expected: [], ready: new Map(), expiry: null };
    this.origins.set(name, origin);
    this.dropExpired(origin);
    origin.expected.push(dueAtMs);
    origin.expiry ??= setTimeout(() => this.expire(name), this.msUntilExpired(origin)).unref();
    const open =
      (this.agent.sockets[name]?.length ?? 0) + (this.agent.freeSockets[name]?.length ?? 0) + origin.ready.size;
    if (open >= this.options.maxSocketsPerHost) return;
    // Counted only until they outnumber the open connections: a burst of 10,000 announced together would otherwise
    // count 10,000^2 / 2 times, which took ~100 ms of the worker's thread just before the instant.
    let atOnce = 0;
    for (let i = origin.expected.length - 1; i >= 0 && atOnce <= open; i--) {
      if (Math.abs((origin.expected[i] ?? 0) - dueAtMs) <= this.options.sameInstantMs) atOnce += 1;
      else if ((origin.expected[i] ?? 0) < dueAtMs) break;
    }
    if (open < atOnce) this.open(name, origin, connectionOptions);
  }

  /** Counts a call made to `url`, so that it no longer asks for a connection of its own. */
  called(url: URL): void {
    if (this.origins.size === 0) return;
    const { name } = this.originOf(url);
    const origin = this.origins.get(name);
    if (origin === undefined) return;
    origin.expected.shift();
    this.dropIfUnused(name, origin);
  }

  /** Connections opened ahead and not taken yet, and origins with announced calls (for tests and diagnostics). */
  get waiting(): { connections: number; origins: number } {
    let connections = 0;
    for (const origin of this.origins.values()) connections += origin.ready.size;
    return { connections, origins: this.origins.size };
  }

  /**
   * The agent's name for the origin of `url` and the options it would connect with, remembered per scheme and host
   * (./remembered.ts): each call of a burst asks for them twice (`preconnect`, `called`).
   */
  private originOf(url: URL): { connectionOptions: https.RequestOptions; name: string } {
    return remembered(this.known, `${url.protocol}//${url.host}`, () => {
      const connectionOptions = this.connectionOptions(url);
      return { connectionOptions, name: this.agent.getName(connectionOptions) };
    });
  }

  /**
   * The options the agent would give `createConnection` for a request to `url` (Node 20's `Agent.createSocket`): the
   * request's host and port, then the agent's own options (`noDelay`, TLS options), the TLS server name as the agent
   * derives it (none for an IP address), and the agent's key, under which https caches TLS sessions.
   */
  private connectionOptions(url: URL): https.RequestOptions {
    // URL keeps an IPv6 host in brackets; a request's options do not.
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
    return { host, port, ...this.agent.options, servername: net.isIP(host) === 0 ? host : '' };
  }

  private open(name: string, origin: Origin, connectionOptions: https.RequestOptions): void {
    const { keepAlive, keepAliveMsecs } = this.agent;
    const socket = this.createConnection({
      ...connectionOptions,
      _agentKey: name,
      ...(keepAlive ? { keepAlive, keepAliveInitialDelay: keepAliveMsecs } : {}),
    } as http.ClientRequestArgs);
    if (!socket) return;
    const forget = (): void => {
      clearTimeout(idle);
      socket.off('error', onError);
      socket.off('close', forget);
      origin.ready.delete(socket);
      this.dropIfUnused(name, origin);
    };
    // Without a listener, a connection refused or reset while it waits would be an uncaught error.
    const onError = (): void => {
      forget();
      socket.destroy();
    };
    const idle = setTimeout(onError, this.options.idleMs).unref();
    // A connection waiting for its call does not keep the process alive (as the agent's idle ones do not); `take`
    // refs it again when a request gets it.
    if (socket instanceof net.Socket) socket.unref();
    socket.on('error', onError);
    socket.once('close', forget);
    origin.ready.set(socket, forget);
  }

  private take(name: string): Duplex | undefined {
    const origin = this.origins.get(name);
    if (origin === undefined) return undefined;
    for (const [socket, forget] of origin.ready) {
      forget();
      if (socket.destroyed) continue;
      if (socket instanceof net.Socket) socket.ref();
      return socket;
    }
    return undefined;
  }

  /** The expiry timer: forgets expired announcements, and waits for the next one to expire while there is one. */
  private expire(name: string): void {
    const origin = this.origins.get(name);
    if (origin === undefined) return;
    origin.expiry = null;
    this.dropExpired(origin);
    if (origin.expected.length > 0) {
      origin.expiry = setTimeout(() => this.expire(name), this.msUntilExpired(origin)).unref();
    }
    this.dropIfUnused(name, origin);
  }

  /** Removes the announcements whose call is more than `expectedWithinMs` overdue (they are oldest first). */
  private dropExpired(origin: Origin): void {
    const cutoff = this.now() - this.options.expectedWithinMs;
    while ((origin.expected[0] ?? Infinity) < cutoff) origin.expected.shift();
  }

  /** Time until the oldest announcement expires (at least 1 ms). */
  private msUntilExpired(origin: Origin): number {
    return Math.max((origin.expected[0] ?? this.now()) + this.options.expectedWithinMs - this.now(), 0) + 1;
  }

  /** Forgets an origin with no announced call and no connection waiting. */
  private dropIfUnused(name: string, origin: Origin): void {
    if (origin.expected.length > 0 || origin.ready.size > 0) return;
    if (origin.expiry !== null) clearTimeout(origin.expiry);
    this.origins.delete(name);
  }
}
