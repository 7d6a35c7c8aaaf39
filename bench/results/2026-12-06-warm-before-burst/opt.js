// Main thread only: every 500 ms, V8's optimization status of process.nextTick and AsyncLocalStorage's _propagate,
// and the number of active async hooks (needs --allow-natives-syntax --expose-internals).
const { isMainThread } = require('node:worker_threads');
if (isMainThread) {
  const fs = require('node:fs');
  const out = fs.openSync('/tmp/probe/opt.log', 'w');
  const { AsyncLocalStorage } = require('node:async_hooks');
  const internal = require('internal/async_hooks');
  const propagate = AsyncLocalStorage.prototype._propagate;
  const enable = AsyncLocalStorage.prototype._enable;
  const enabled = [];
  AsyncLocalStorage.prototype._enable = function () {
    if (!this.enabled) enabled.push(new Error().stack.split('\n').slice(2, 6).map((l) => l.trim()).join(' | ').slice(0, 400));
    return enable.call(this);
  };
  setInterval(() => {
    const hooks = internal.getHookArrays()[0];
    const line = {
      t: Date.now(),
      nextTick: %GetOptimizationStatus(process.nextTick).toString(2),
      propagate: %GetOptimizationStatus(propagate).toString(2),
      hooks: hooks.length,
      storages: enabled,
      hookInits: hooks.map((h) => String(h[Object.getOwnPropertySymbols(h).find((s) => String(s).includes('init'))]).slice(0, 80)),
    };
    fs.writeSync(out, JSON.stringify(line) + '\n');
  }, 500).unref();
}
