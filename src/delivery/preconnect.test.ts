import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import { promisify } from 'node:util';
import { setTimeout as delay } from 'node:timers/promises';
import { Preconnector, type PreconnectOptions } from './preconnect';

const closers: (() => void)[] = [];
afterEach(() => closers.splice(0).forEach((close) => close()));

/** A receiver on 127.0.0.1 that keeps its connections, so that a test can see them open and close. */
async function serve() {
  const sockets = new Set<Socket>();
  let accepted = 0;
  let requests = 0;
  const server = http.createServer((req, res) => {
    requests += 1;
    req.resume();
    req.on('end', () => res.end('ok'));
  });
  server.on('connection', (socket: Socket) => {
    accepted += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => {
    server.closeAllConnections();
    server.close();
  });
  return {
    url: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`),
    accepted: () => accepted,
    open: () => sockets.size,
    requests: () => requests,
    dropAll: () => sockets.forEach((socket) => socket.destroy()),
  };
}

/** A due time half a second ahead, as a held attempt announces its call. */
function dueSoon(): number {
  return Date.now() + 500;
}

/** An agent as the keep-alive client builds it, with a preconnector on it. */
function agentWith(options: Partial<PreconnectOptions> = {}) {
  const maxSockets = options.maxSocketsPerHost ?? 8;
  const agent = new http.Agent({ keepAlive: true, maxSockets });
  closers.push(() => agent.destroy());
  const preconnector = new Preconnector(agent, {
    maxSocketsPerHost: maxSockets,
    sameInstantMs: 20,
    expectedWithinMs: 2000,
    idleMs: 2000,
    ...options,
  });
  return { agent, preconnector };
}

/** A POST through `agent` (http or https, as `url` says); resolves with the answer's body. */
function post(agent: http.Agent, url: URL, preconnector?: Preconnector): Promise<string> {
  preconnector?.called(url);
  return new Promise((resolve, reject) => {
    const request = (url.protocol === 'https:' ? https : http).request(url, { method: 'POST', agent }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve(body));
    });
    request.on('error', reject);
    request.end('{}');
  });
}

/** Waits until `check` holds (the other end of a socket sees things a moment later). */
async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await delay(5);
  expect(check()).toBe(true);
}

describe('Preconnector', () => {
  it('opens one connection per announced call, and the calls go out on them', async () => {
    const server = await serve();
    const { agent, preconnector } = agentWith();

    for (let i = 0; i < 3; i++) preconnector.preconnect(server.url, dueSoon());
    await until(() => server.accepted() === 3);
    expect(server.requests()).toBe(0);

    const answers = await Promise.all([1, 2, 3].map(() => post(agent, server.url, preconnector)));

    expect(answers).toEqual(['ok', 'ok', 'ok']);
    expect(server.accepted()).toBe(3);
    expect(preconnector.waiting).toEqual({ connections: 0, origins: 0 });
  });

  it('counts idle keep-alive connections as ready, and opens only what is missing', async () => {
    const server = await serve();
    const { agent, preconnector } = agentWith();
    await post(agent, server.url, preconnector);
    expect(server.accepted()).toBe(1);

    for (let i = 0; i < 3; i++) preconnector.preconnect(server.url, dueSoon());

    await until(() => server.accepted() === 3);
    expect(preconnector.waiting.connections).toBe(2);
  });

  it('never opens more than maxSocketsPerHost', async () => {
    const server = await serve();
    const { preconnector } = agentWith({ maxSocketsPerHost: 4 });

    for (let i = 0; i < 10; i++) preconnector.preconnect(server.url, dueSoon());

    await until(() => server.accepted() === 4);
    await delay(50);
    expect(server.accepted()).toBe(4);
  });

  it('closes a connection that no call took within idleMs', async () => {
    const server = await serve();
    const { preconnector } = agentWith({ idleMs: 100 });

    preconnector.preconnect(server.url, dueSoon());
    await until(() => server.open() === 1);

    await until(() => server.open() === 0);
    expect(preconnector.waiting.connections).toBe(0);
  });

  it('forgets announced calls expectedWithinMs after their due time, so a call that never came holds nothing', async () => {
    const server = await serve();
    const { preconnector } = agentWith({ expectedWithinMs: 50, idleMs: 5000 });
    const dueAt = Date.now();
    preconnector.preconnect(server.url, dueAt);
    preconnector.preconnect(server.url, dueAt);
    await until(() => server.accepted() === 2);
    await delay(100);

    // One more call due at that instant, the two before it expired: the two connections waiting are enough
    // (counting the two expired ones, it would open a third).
    preconnector.preconnect(server.url, dueAt);
    await delay(50);

    expect(server.accepted()).toBe(2);
    expect(preconnector.waiting.connections).toBe(2);
  });

  it('opens one connection for calls due one after another, which reuse it', async () => {
    const server = await serve();
    const { agent, preconnector } = agentWith();
    const firstDueAt = Date.now() + 200;

    for (let i = 0; i < 5; i++) preconnector.preconnect(server.url, firstDueAt + i * 100);
    await delay(50);
    expect(server.accepted()).toBe(1);
    for (let i = 0; i < 5; i++) await post(agent, server.url, preconnector);

    expect(server.accepted()).toBe(1);
  });

  it('forgets an origin that announced calls but made none, once they expired', async () => {
    const server = await serve();
    const { preconnector } = agentWith({ expectedWithinMs: 50, idleMs: 50 });

    preconnector.preconnect(server.url, Date.now());
    await until(() => server.accepted() === 1);

    await until(() => preconnector.waiting.origins === 0);
    expect(preconnector.waiting.connections).toBe(0);
  });

  it('drops a connection the receiver closed while it waited, and the call opens a new one', async () => {
    const server = await serve();
    const { agent, preconnector } = agentWith();
    preconnector.preconnect(server.url, dueSoon());
    await until(() => server.open() === 1);

    server.dropAll();
    await until(() => preconnector.waiting.connections === 0);

    await expect(post(agent, server.url, preconnector)).resolves.toBe('ok');
    expect(server.accepted()).toBe(2);
  });

  it('survives a refused connection: nothing is thrown, and the call reports its own error', async () => {
    const server = await serve();
    const url = server.url;
    closers.splice(0).forEach((close) => close());
    await delay(10);
    const { agent, preconnector } = agentWith();

    preconnector.preconnect(url, dueSoon());
    await until(() => preconnector.waiting.connections === 0);

    await expect(post(agent, url, preconnector)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('opens TLS connections for https, with the host name for SNI, and the calls use them', async () => {
    const tlsDir = path.join(__dirname, '../../test/fixtures/tls');
    const cert = fs.readFileSync(path.join(tlsDir, 'cert.pem'));
    let accepted = 0;
    const servernames: (string | false | null)[] = [];
    const server = https.createServer({ cert, key: fs.readFileSync(path.join(tlsDir, 'key.pem')) }, (req, res) => {
      req.resume();
      req.on('end', () => res.end('ok'));
    });
    server.on('secureConnection', (socket: TLSSocket) => {
      accepted += 1;
      servernames.push(socket.servername);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(() => {
      server.closeAllConnections();
      server.close();
    });
    const url = new URL(`https://localhost:${(server.address() as AddressInfo).port}/hook`);
    // The agent trusts the test certificate; its options go into the connections opened ahead, as into its own.
    const agent = new https.Agent({ keepAlive: true, maxSockets: 8, ca: cert });
    closers.push(() => agent.destroy());
    const preconnector = new Preconnector(agent, {
      maxSocketsPerHost: 8,
      sameInstantMs: 20,
      expectedWithinMs: 2000,
      idleMs: 2000,
    });

    preconnector.preconnect(url, dueSoon());
    preconnector.preconnect(url, dueSoon());
    await until(() => accepted === 2);
    const answers = await Promise.all([1, 2].map(() => post(agent, url, preconnector)));

    expect(answers).toEqual(['ok', 'ok']);
    expect(accepted).toBe(2);
    expect(servernames).toEqual(['localhost', 'localhost']);
  });

  it('does not keep the process alive with a connection that waits for its call', async () => {
    const server = await serve();
    // A process that opens one connection ahead (to wait 30 s) and has nothing else to do: it must exit at once.
    const script = [
      "const http = require('node:http');",
      `const { Preconnector } = require(${JSON.stringify(path.join(__dirname, 'preconnect.ts'))});`,
      'const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });',
      'const preconnector = new Preconnector(agent, { maxSocketsPerHost: 4, sameInstantMs: 20, expectedWithinMs: 30000, idleMs: 30000 });',
      `preconnector.preconnect(new URL(${JSON.stringify(server.url.href)}), Date.now() + 500);`,
    ].join('\n');
    const tsx = path.join(__dirname, '../../node_modules/.bin/tsx');
    const startedAt = Date.now();

    await promisify(execFile)(tsx, ['-e', script], { timeout: 20_000 });

    expect(Date.now() - startedAt).toBeLessThan(15_000);
    await until(() => server.accepted() === 1);
  }, 30_000);
});
