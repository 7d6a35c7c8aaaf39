// Scratch: inclusive share (function anywhere on the stack) in the window [from,to] ms after the first sample with ANCHOR.
const fs = require('node:fs');
const [file, fromMs = '0', toMs = '999999', filter = '.'] = process.argv.slice(2);
const p = JSON.parse(fs.readFileSync(file, 'utf8'));
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parentOf = new Map();
for (const n of p.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
const label = (id) => { const f = byId.get(id).callFrame; return `${f.functionName || '(anon)'} ${f.url.replace(/.*node_modules\//, 'nm/').replace(/.*\/(src|activities|workflows)\//, '$1/')}:${f.lineNumber}`; };
let t = p.startTime; const times = p.timeDeltas.map((d) => (t += d));
const onStack = (id, re) => { for (let x = id; x !== undefined; x = parentOf.get(x)) if (re.test(label(x))) return true; return false; };
const anchorRe = new RegExp(process.env.ANCHOR ?? 'callWebhook');
const anchor = times[p.samples.findIndex((id) => onStack(id, anchorRe))];
const counts = new Map(); let n = 0;
p.samples.forEach((id, i) => {
  const rel = times[i] - anchor; if (rel < Number(fromMs) * 1000 || rel > Number(toMs) * 1000) return;
  n++; const seen = new Set();
  for (let x = id; x !== undefined; x = parentOf.get(x)) seen.add(label(x));
  for (const l of seen) counts.set(l, (counts.get(l) ?? 0) + 1);
});
const re = new RegExp(filter);
console.log(`${n} samples`);
for (const [l, c] of [...counts].filter(([l]) => re.test(l)).sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.TOP ?? 40))) console.log(`${(100 * c / n).toFixed(1).padStart(5)} % ${l}`);
