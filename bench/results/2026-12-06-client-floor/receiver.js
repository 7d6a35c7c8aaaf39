// Scratch receiver: records arrival time of each request; on /report returns lateness stats vs ?due=
const http = require('node:http');
let arrivals = [];
const server = http.createServer((req, res) => {
  if (req.url.startsWith('/report')) {
    const due = Number(new URL(req.url, 'http://x').searchParams.get('due'));
    const l = arrivals.map((t) => t - due).sort((a, b) => a - b);
    const q = (p) => l[Math.min(l.length - 1, Math.floor(p * l.length))];
    res.end(JSON.stringify({ n: l.length, first: l[0], p50: q(0.5), p90: q(0.9), p99: q(0.99), max: l[l.length - 1] }));
    arrivals = [];
    return;
  }
  const t = Date.now();
  req.on('data', () => {});
  req.on('end', () => { arrivals.push(t); res.end(); });
});
server.keepAliveTimeout = 10000;
server.listen(Number(process.argv[2] || 47123), '127.0.0.1');
