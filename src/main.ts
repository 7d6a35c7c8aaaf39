import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { type Config, describeDestinations, loadConfig, withDevelopmentDefaults } from './config';
import { startApi } from './server';
import { shutdownOnSignals } from './shutdown';
import { createEventWorker } from './worker';
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
  const { env, developing } = withDevelopmentDefaults(process.env);
  const config = loadConfig(env);
  installWorkerLogging();
  // First, so that a port already in use is reported at once, not after the dev server, the bundle and the warm-up.
  // Its Temporal client connects lazily: until the dev server answers, requests get the API's usual 503.
  const server = await startApi(config);
  const startedHere = !devServer('status');
  const { worker, connection } = await startWorker(config, startedHere).catch((error: unknown) => {
    // Leave nothing running behind the error message (the dev server runs in the background).
    server.close();
    if (startedHere) devServer('stop');
    throw error;
  });
  console.log(`API:         http://${config.HOST}:${config.PORT}  (try POST /v1/metadata)`);
  console.log(`Temporal UI: ${config.TEMPORAL_UI_URL}`);
  console.log(`${describeDestinations(config)}${developing ? ': the development default of npm start' : ''}`);

  shutdownOnSignals(() => {
    server.close();
    worker.shutdown();
  });
  await worker.run();
  await connection.close();
  if (startedHere) devServer('stop');
}

/** Starts the dev server when `startHere`, then the worker. */
async function startWorker(config: Config, startHere: boolean): ReturnType<typeof createEventWorker> {
  if (startHere && !devServer('start')) throw new Error('the Temporal dev server did not start (see above)');
  return createEventWorker(config, process.env);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
