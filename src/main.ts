import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { loadConfig } from './config';
import { startApi } from './server';
import { createEventWorker, shutdownOnSignals } from './worker';
import { installWorkerLogging } from './worker-log';

/**
 * `npm start`: the whole service on one machine. Starts the Temporal dev server (unless one already runs),
 * then the worker and the API in this process. Ctrl-C stops the worker and the API, and the dev server if this
 * process started it; events are kept in the dev server's database file and resume on the next start.
 */
const DEV_SCRIPT = resolve(__dirname, '..', 'temporal-dev.sh');

function devServer(command: 'start' | 'stop' | 'status'): boolean {
  return spawnSync('bash', [DEV_SCRIPT, command], { stdio: ['ignore', 'inherit', 'inherit'] }).status === 0;
}

async function main(): Promise<void> {
  const config = loadConfig();
  installWorkerLogging();
  const startedHere = !devServer('status');
  if (startedHere && !devServer('start')) throw new Error('the Temporal dev server did not start (see above)');

  let started;
  try {
    started = { ...(await createEventWorker(config, process.env)), server: await startApi(config) };
  } catch (error) {
    // Leave nothing running behind the error message (the dev server runs in the background).
    if (startedHere) devServer('stop');
    throw error;
  }
  const { worker, connection, server } = started;
  console.log(`API:         http://${config.HOST}:${config.PORT}  (try POST /v1/metadata)`);
  console.log(`Temporal UI: ${config.TEMPORAL_UI_URL}`);

  shutdownOnSignals(() => {
    server.close();
    worker.shutdown();
  });
  await worker.run();
  await connection.close();
  if (startedHere) devServer('stop');
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
