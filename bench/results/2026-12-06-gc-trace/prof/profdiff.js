// Two worker CPU profiles (`node --cpu-prof`) over the first WINDOW_MS (default 2,000) of their bursts: from 200 ms
// before the densest run of src/delivery/send-webhook.ts samples (as profile-window.js finds it). Prints each
// function's self samples in both, the 40 with the largest difference, and the share of each kind.
//   node profdiff.js A.cpuprofile B.cpuprofile
const fs = require('node:fs');
const windowUs = Number(process.env.WINDOW_MS ?? 2000) * 1000;
function load(file) {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const times = [];
  let t = profile.startTime;
  for (const delta of profile.timeDeltas) times.push((t += delta));
  const label = (id) => {
    const { functionName, url, lineNumber } = byId.get(id).callFrame;
    return `${functionName || '(anon)'} ${url.replace(/.*node_modules\//, 'nm/').replace(/.*\/(src|activities|workflows)\//, '$1/')}:${lineNumber}`;
  };
  const onStack = (id, re) => {
    for (let x = id; x !== undefined; x = parentOf.get(x)) if (re.test(label(x))) return true;
    return false;
  };
  // The densest 3.8 s of send-webhook samples, as profile-window.js; the window starts 200 ms before it.
  const marked = profile.samples.flatMap((id, i) => (onStack(id, /send-webhook/) ? [i] : []));
  let best = 0;
  let start = 0;
  for (let a = 0, b = 0; b < marked.length; b++) {
    while (times[marked[b]] - times[marked[a]] > 3_800_000) a++;
    if (b - a > best) [best, start] = [b - a, times[marked[a]] - 200_000];
  }
  const counts = new Map();
  let n = 0;
  profile.samples.forEach((id, i) => {
    if (times[i] < start || times[i] > start + windowUs) return;
    n++;
    const key = label(id);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  });
  return { counts, n };
}
const [a, b] = process.argv.slice(2).map(load);
console.log(`samples in ${windowUs / 1000} ms: A ${a.n}, B ${b.n}`);
const keys = new Set([...a.counts.keys(), ...b.counts.keys()]);
const rows = [...keys].map((k) => [k, a.counts.get(k) ?? 0, b.counts.get(k) ?? 0]);
rows.sort((x, y) => Math.abs(y[1] - y[2]) - Math.abs(x[1] - x[2]));
console.log('   A      B   A-B  function (self samples)');
for (const [k, x, y] of rows.slice(0, 40)) console.log(String(x).padStart(5), String(y).padStart(6), String(x - y).padStart(5), '', k);
