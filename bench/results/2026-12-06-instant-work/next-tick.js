// 10^6 process.nextTick calls, twice, with ALSN AsyncLocalStorage instances enabled (each adds its propagation to
// every async resource's init hook): `ALSN=0|1|2 node next-tick.js`.
const { AsyncLocalStorage } = require('node:async_hooks');
const n = Number(process.env.ALSN || 0);
for (let i = 0; i < n; i++) new AsyncLocalStorage().enterWith({ i });
function run(cb) {
  const t = process.hrtime.bigint();
  let k = 0;
  function f() {
    if (++k < 1e6) process.nextTick(f);
    else cb(Number(process.hrtime.bigint() - t) / 1e6);
  }
  f();
}
run((first) => run((second) => console.log('ALS', n, 'nextTick x1e6 ms', first.toFixed(0), second.toFixed(0))));
