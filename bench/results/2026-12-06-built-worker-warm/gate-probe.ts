// Run: node_modules/.bin/tsx gate-probe.ts 10000 3 (from the repository root).
// Scratch: does a gate (at most G requests created at once; the rest wait in a FIFO) make a burst of N calls
// started in one instant arrive sooner than creating all N requests at once?
import { fork } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const N = Number(process.argv[2] ?? 10000);
const ROUNDS = Number(process.argv[3] ?? 3);
const SOCKETS = 256;

function receiverMain(): void {
  const arrivals: number[] = [];
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => { arrivals.push(Date.now()); res.end('ok'); });
  });
  server.keepAliveTimeout = 60000;
  server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as AddressInfo).port }));
  process.on('message', (msg: { collect?: boolean }) => { if (msg.collect) process.send?.({ arrivals: arrivals.splice(0) }); });
}

type Call = (i: number) => Promise<void>;
const bodyOf = (i: number) => ({ id: `e${i}`, scheduled_time: '', payload: { pad: 'x'.repeat(200) }, created_at: '' });

function bare(url: string, agent: http.Agent): Call {
  return (i) => new Promise<void>((resolve, reject) => {
    const body = Buffer.from(JSON.stringify(bodyOf(i)));
    const headers = { 'content-type': 'application/json', 'user-agent': 'probe', 'idempotency-key': `e${i}` };
    const request = http.request(url, { method: 'POST', agent, headers }, (response) => { response.resume(); response.on('end', resolve); });
    request.on('error', reject);
    request.end(body);
  });
}

function gated(call: Call, limit: number): Call {
  let out = 0;
  const queue: (() => void)[] = [];
  const release = () => { out -= 1; const next = queue.shift(); if (next) { out += 1; next(); } };
  return async (i) => {
    if (out >= limit) await new Promise<void>((r) => queue.push(r)); else out += 1;
    try { await call(i); } finally { release(); }
  };
}

async function round(call: Call, receiver: ReturnType<typeof fork>) {
  const instant = Date.now() + 2000;
  await Promise.all(Array.from({ length: N }, (_, i) => new Promise<void>((resolve, reject) => {
    setTimeout(() => call(i).then(resolve, reject), instant - Date.now());
  })));
  const arrivals = await new Promise<number[]>((resolve) => { receiver.once('message', (m: { arrivals: number[] }) => resolve(m.arrivals)); receiver.send({ collect: true }); });
  const s = arrivals.map((a) => a - instant).sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { n: s.length, min: q(0), p10: q(0.1), p50: q(0.5), p99: q(0.99), max: s[s.length - 1] };
}

async function main() {
  const receiver = fork(__filename, ['--receiver'], { execArgv: process.execArgv });
  const port = await new Promise<number>((r) => receiver.once('message', (m: { port: number }) => r(m.port)));
  const url = `http://127.0.0.1:${port}/hook`;
  const agentA = new http.Agent({ keepAlive: true, maxSockets: SOCKETS });
  const agentB = new http.Agent({ keepAlive: true, maxSockets: SOCKETS });
  const agentC = new http.Agent({ keepAlive: true, maxSockets: SOCKETS });
  const variants: [string, Call][] = [
    ['all at once', bare(url, agentA)],
    [`gated ${SOCKETS}`, gated(bare(url, agentB), SOCKETS)],
    [`gated ${SOCKETS * 2}`, gated(bare(url, agentC), SOCKETS * 2)],
  ];
  // warm each
  for (const [, c] of variants) await round(c, receiver);
  for (let r = 0; r < ROUNDS; r++) for (const [name, c] of variants) console.log(name.padEnd(14), JSON.stringify(await round(c, receiver)));
  receiver.kill();
}
if (process.argv.includes('--receiver')) receiverMain(); else main();
