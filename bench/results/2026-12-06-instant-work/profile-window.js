// Reads a worker's CPU profile (`node --cpu-prof`) and looks at the burst: the WINDOW_MS (default 3,800) densest in
// samples of src/delivery/send-webhook.ts, from 200 ms before them.
//   node profile-window.js FILE.cpuprofile            share of samples by kind and the 40 heaviest functions (self)
//   node profile-window.js FILE.cpuprofile REGEX [N]  samples with a function matching REGEX on the stack, by its N callers
const fs = require('node:fs');

const [file, pattern, depthArg] = process.argv.slice(2);
const windowUs = Number(process.env.WINDOW_MS ?? 3800) * 1000;
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
  for (let x = id; x !== undefined; x = parentOf.get(x)) if (re.test(label(x))) return x;
  return undefined;
};

const marked = profile.samples.flatMap((id, i) => (onStack(id, /send-webhook/) !== undefined ? [i] : []));
let best = 0;
let start = 0;
for (let a = 0, b = 0; b < marked.length; b++) {
  while (times[marked[b]] - times[marked[a]] > windowUs) a++;
  if (b - a > best) [best, start] = [b - a, times[marked[a]] - 200_000];
}
const inWindow = profile.samples.flatMap((id, i) => (times[i] >= start && times[i] <= start + windowUs ? [id] : []));
const share = (count) => `${((100 * count) / inWindow.length).toFixed(1).padStart(5)} %`;
const print = (counts, limit) =>
  [...counts].sort((x, y) => y[1] - x[1]).slice(0, limit).forEach(([key, count]) => console.log(share(count), key));
const count = (keys) => keys.reduce((map, key) => map.set(key, (map.get(key) ?? 0) + 1), new Map());
console.log(`${inWindow.length} samples in ${windowUs / 1000} ms`);

if (pattern !== undefined) {
  const re = new RegExp(pattern);
  const depth = Number(depthArg ?? 3);
  const chains = inWindow.flatMap((id) => {
    const hit = onStack(id, re);
    if (hit === undefined) return [];
    const chain = [];
    for (let x = parentOf.get(hit); x !== undefined && chain.length < depth; x = parentOf.get(x)) chain.push(label(x));
    return [chain.join(' < ')];
  });
  console.log(`${share(chains.length)} with ${pattern} on the stack, by caller:`);
  print(count(chains), 25);
} else {
  const kinds = [
    ['garbage collection', /^\(garbage collector\)/],
    ['idle', /^\(idle\)/],
    ['async hooks (AsyncLocalStorage)', /async_hooks|promiseInitHook|trackPromise/],
    ['Temporal SDK', /@temporalio|nm\/@grpc/],
    ['src/delivery', /^\S+ src\/delivery/],
    ['activities', /^\S+ activities\//],
    ['node: http, net, streams, timers', /node:/],
  ];
  const kindOf = (id) => (kinds.find(([, re]) => re.test(label(id))) ?? ['other'])[0];
  print(count(inWindow.map(kindOf)), kinds.length + 1);
  console.log('--- heaviest (self)');
  print(count(inWindow.map(label)), 40);
}
