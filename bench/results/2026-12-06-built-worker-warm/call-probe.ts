// Run: esbuild call-probe.ts --format=cjs --platform=node --outfile=/tmp/call-probe.js, then
//   DELIV=$PWD/dist/src/delivery node /tmp/call-probe.js 10000 2 call            (compiled)
//   DELIV=$PWD/src/delivery node --import tsx /tmp/call-probe.js 10000 2 call   (through tsx)
// Scratch: 10,000 prepared attempts called in one instant through callWebhook (as held attempts do), vs bare node:http.
import { fork } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
const { callWebhook, createWebhookFetch, prepareWebhook, LOOPBACK_DESTINATIONS } = require(process.env.DELIV);

const N = Number(process.argv[2] ?? 10000);
const ROUNDS = Number(process.argv[3] ?? 3);
const MODE = process.argv[4] ?? 'both';

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
const bodyOf = (i: number) => ({ id: `e${i}`, scheduled_time: '2026-01-01T00:00:00Z', payload: { pad: 'x'.repeat(200) }, created_at: '2026-01-01T00:00:00Z' });

async function main() {
  const receiver = fork(__filename, ['--receiver'], { execArgv: process.execArgv.filter((a) => !a.startsWith('--cpu-prof')) });
  const port = await new Promise<number>((r) => receiver.once('message', (m: { port: number }) => r(m.port)));
  const url = `http://127.0.0.1:${port}/hook`;
  const fetch = createWebhookFetch(LOOPBACK_DESTINATIONS);
  const deps = { env: {}, userAgent: 'probe/1', fetch };
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const bare = (i: number) => new Promise<void>((resolve, reject) => {
    const body = Buffer.from(JSON.stringify(bodyOf(i)));
    const headers = { 'content-type': 'application/json', 'user-agent': 'probe', 'idempotency-key': `e${i}` };
    const request = http.request(url, { method: 'POST', agent, headers }, (response) => { response.resume(); response.on('end', resolve); });
    request.on('error', reject);
    request.end(body);
  });
  const round = async (mode: string) => {
    const instant = Date.now() + 3000;
    const notBefore = new Date(instant).toISOString();
    await Promise.all(Array.from({ length: N }, async (_, i) => {
      const prepared = prepareWebhook({ eventId: `e${i}`, invocationId: `i${i}`, attempt: 1, webhook: url, headers: [], body: bodyOf(i), timeoutSeconds: 60, notBefore }, deps);
      await new Promise((r) => setTimeout(r, instant - Date.now()));
      if (mode === 'bare') await bare(i); else await callWebhook(prepared, deps);
    }));
    const arrivals = await new Promise<number[]>((resolve) => { receiver.once('message', (m: { arrivals: number[] }) => resolve(m.arrivals)); receiver.send({ collect: true }); });
    const s = arrivals.map((a) => a - instant).sort((a, b) => a - b);
    const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
    return { n: s.length, p10: q(0.1), p50: q(0.5), p99: q(0.99), max: s[s.length - 1] };
  };
  const modes = MODE === 'both' ? ['call', 'bare'] : [MODE];
  for (const m of modes) await round(m);
  for (let r = 0; r < ROUNDS; r++) for (const m of modes) console.log(m.padEnd(6), JSON.stringify(await round(m)));
  receiver.kill();
}
if (process.argv.includes('--receiver')) receiverMain(); else main();
