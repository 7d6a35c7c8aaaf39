// Main thread only: every GC (wall-clock start, duration, kind) and the heap every 250 ms, to /tmp/probe/gc-<pid>.log.
const { isMainThread } = require('node:worker_threads');
if (isMainThread) {
  const fs = require('node:fs');
  const { PerformanceObserver, performance } = require('node:perf_hooks');
  const out = fs.openSync(`/tmp/probe/gc-${process.pid}.log`, 'w');
  const origin = performance.timeOrigin;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      fs.writeSync(out, JSON.stringify({ gc: e.detail?.kind ?? e.kind, t: Math.round(origin + e.startTime), ms: +e.duration.toFixed(2) }) + '\n');
    }
  }).observe({ entryTypes: ['gc'] });
  let elu = performance.eventLoopUtilization();
  setInterval(() => {
    const m = process.memoryUsage();
    const now = performance.eventLoopUtilization();
    const u = performance.eventLoopUtilization(now, elu).utilization;
    elu = now;
    fs.writeSync(out, JSON.stringify({ t: Date.now(), elu: +u.toFixed(2), heapUsed: m.heapUsed >> 20, heapTotal: m.heapTotal >> 20, ext: m.external >> 20 }) + '\n');
  }, 250).unref();
}
