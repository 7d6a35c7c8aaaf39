// Main thread only: a full collection every 15 s (needs --expose-gc), to test whether the burst warm-ups help
// through the heap's state at the instant rather than through warm code.
const { isMainThread } = require('node:worker_threads');
if (isMainThread) setInterval(() => globalThis.gc(), 15000).unref();
