import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { createKeepAliveFetch, type WebhookResponse } from './keep-alive-fetch';
import { LOOPBACK_DESTINATIONS as LOOPBACK } from './destination-guard';

const servers: { close(): void }[] = [];
afterEach(() => servers.splice(0).forEach((server) => server.close()));

/** An HTTP server on 127.0.0.1 that counts the connections it accepted. */
async function serve(handler: http.RequestListener): Promise<{ url: string; connections: () => number }> {
  const server = http.createServer(handler);
  let connections = 0;
  server.on('connection', () => (connections += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push({ close: () => server.close() && server.closeAllConnections() });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, connections: () => connections };
}

/** The whole body of an answer, as text. */
async function text(response: WebhookResponse): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of response.body ?? []) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

const post = (body = '{}'): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body });

describe('createKeepAliveFetch', () => {
  it('sends method, headers and body, and returns status, headers and body', async () => {
    let seen: { method?: string; header?: string; body: string } = { body: '' };
    const { url } = await serve((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        seen = { method: req.method, header: req.headers['x-test'] as string, body };
        res.writeHead(201, { 'x-reply': 'yes' }).end('created');
      });
    });
    const fetchLike = createKeepAliveFetch({ maxSocketsPerHost: 4, allowedDestinations: LOOPBACK });

    const response = await fetchLike(url, { method: 'POST', headers: { 'x-test': 'a' }, body: '{"a":1}' });

    expect(seen).toEqual({ method: 'POST', header: 'a', body: '{"a":1}' });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-reply')).toBe('yes');
    expect(await text(response)).toBe('created');
  });

  it('reuses one connection for calls made one after another', async () => {
    const server = await serve((_req, res) => res.end('ok'));
    const fetchLike = createKeepAliveFetch({ maxSocketsPerHost: 4, allowedDestinations: LOOPBACK });

    for (let i = 0; i < 5; i++) expect(await text(await fetchLike(server.url, post()))).toBe('ok');

    expect(server.connections()).toBe(1);
  });

  it('opens at most maxSocketsPerHost connections for simultaneous calls', async () => {
    const server = await serve((_req, res) => setTimeout(() => res.end('ok'), 20));
    const fetchLike = createKeepAliveFetch({ maxSocketsPerHost: 3, allowedDestinations: LOOPBACK });

    // A connection is free for the next call once the body before it has been read.
    const bodies = await Promise.all(Array.from({ length: 12 }, async () => text(await fetchLike(server.url, post()))));

    expect(bodies).toEqual(Array(12).fill('ok'));
    expect(server.connections()).toBe(3);
  });

  it('gives a null body for 204 and does not follow redirects', async () => {
    const { url } = await serve((req, res) =>
      req.url === '/hook' ? res.writeHead(302, { location: '/elsewhere' }).end() : res.writeHead(204).end(),
    );
    const fetchLike = createKeepAliveFetch({ maxSocketsPerHost: 4, allowedDestinations: LOOPBACK });

    const redirect = await fetchLike(url, post());
    const empty = await fetchLike(url.replace('/hook', '/other'), post());

    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('location')).toBe('/elsewhere');
    expect(empty.status).toBe(204);
    expect(empty.body).toBeNull();
  });

  it('sends once more on a fresh connection when the receiver closed the pooled one', async () => {
    // A raw server that answers the first request of each connection with keep-alive, then resets the connection
    // when a second request arrives on it: what a receiver closing an idle connection looks like to the client.
    let requests = 0;
    const sockets = new Set<net.Socket>();
    const server = net.createServer((socket) => {
      sockets.add(socket);
      let answered = false;
      socket.on('data', () => {
        requests += 1;
        if (answered) {
          socket.resetAndDestroy();
          return;
        }
        answered = true;
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push({ close: () => server.close() && sockets.forEach((socket) => socket.destroy()) });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const fetchLike = createKeepAliveFetch({ maxSocketsPerHost: 1, allowedDestinations: LOOPBACK });

    expect(await text(await fetchLike(url, post()))).toBe('ok');
    const second = await fetchLike(url, post());

    expect(second.status).toBe(200);
    expect(requests).toBe(3);
  });

  it('rejects with the connection error when nothing listens, and on abort', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const { url } = await serve(() => undefined /* never answers */);
    const fetchLike = createKeepAliveFetch({ maxSocketsPerHost: 4, allowedDestinations: LOOPBACK });

    await expect(fetchLike(`http://127.0.0.1:${port}/`, post())).rejects.toThrow(
      `connect ECONNREFUSED 127.0.0.1:${port}`,
    );
    await expect(fetchLike(url, { ...post(), signal: AbortSignal.timeout(50) })).rejects.toMatchObject({
      name: 'AbortError',
    });
  });

  it('stops a call through `start` or a signal, before its answer or while its body is read', async () => {
    const { url } = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('partial'); // and never ends
    });
    const fetchLike = createKeepAliveFetch({ maxSocketsPerHost: 4, allowedDestinations: LOOPBACK });
    const readAll = async (response: WebhookResponse): Promise<void> => {
      for await (const chunk of response.body ?? []) void chunk;
    };
    // Answered, then stopped while the body is read.
    const started = fetchLike.start!(url, post());
    const response = await started.response;
    setTimeout(() => started.abort(new Error('stop')), 50);
    await expect(readAll(response)).rejects.toThrow();
    // The same through a signal, which still counts once the answer has come.
    const controller = new AbortController();
    const viaSignal = await fetchLike(url, { ...post(), signal: controller.signal });
    setTimeout(() => controller.abort(new Error('stop')), 50);
    await expect(readAll(viaSignal)).rejects.toThrow();
    // Stopped before any answer: rejects as Node's own requests do.
    const { url: silent } = await serve(() => undefined);
    const unanswered = fetchLike.start!(silent, post());
    setTimeout(() => unanswered.abort(new Error('stop')), 50);
    await expect(unanswered.response).rejects.toMatchObject({ name: 'AbortError', cause: new Error('stop') });
  });

  it('settles an aborted call at once even while it waits in line for a connection', async () => {
    const { url } = await serve(() => undefined /* never answers */);
    const fetchLike = createKeepAliveFetch({ maxSocketsPerHost: 1, allowedDestinations: LOOPBACK });
    const holding = fetchLike.start!(url, post());
    const waiting = fetchLike.start!(url, post());
    const startedAt = Date.now();
    setTimeout(() => waiting.abort(new Error('timeout')), 50);
    await expect(waiting.response).rejects.toMatchObject({ name: 'AbortError' });
    expect(Date.now() - startedAt).toBeLessThan(1000);
    holding.abort(new Error('done'));
    await expect(holding.response).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('opens the connections of announced calls ahead, and the calls then use them', async () => {
    const server = await serve((_req, res) => res.end('ok'));
    const fetchLike = createKeepAliveFetch({ maxSocketsPerHost: 8, allowedDestinations: LOOPBACK });

    const dueAt = Date.now() + 500;
    for (let i = 0; i < 3; i++) fetchLike.preconnect?.(server.url, dueAt);
    for (let i = 0; i < 50 && server.connections() < 3; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(server.connections()).toBe(3);
    const bodies = await Promise.all([1, 2, 3].map(async () => text(await fetchLike(server.url, post()))));

    expect(bodies).toEqual(['ok', 'ok', 'ok']);
    expect(server.connections()).toBe(3);
  });

  it('ignores an announced call it could not make, leaving the error to the call', () => {
    const fetchLike = createKeepAliveFetch({ maxSocketsPerHost: 4, allowedDestinations: LOOPBACK });

    expect(() => fetchLike.preconnect?.('ftp://example.com/', Date.now())).not.toThrow();
    expect(() => fetchLike.preconnect?.('not a url', Date.now())).not.toThrow();
  });

  it('rejects URLs it cannot call', async () => {
    const fetchLike = createKeepAliveFetch({ maxSocketsPerHost: 4, allowedDestinations: LOOPBACK });

    await expect(fetchLike('ftp://example.com/', post())).rejects.toThrow('unsupported protocol ftp:');
    await expect(fetchLike('not a url', post())).rejects.toThrow();
  });
});
