import { spawnSync } from 'node:child_process';
import { relative, resolve } from 'node:path';
import {
  type Config,
  describeDestinations,
  describeSigning,
  developmentSigningSecret,
  loadConfig,
  sdkMetricsAddress,
  withDevelopmentDefaults,
} from './config';
import { startApi } from './server';
import { shutdownOnSignals } from './shutdown';
import { createEventWorker } from './worker';
import { ServiceMetrics } from './metrics/service-metrics';
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
  const defaults = withDevelopmentDefaults(process.env);
  const { developing } = defaults;
  // Calls are signed on one machine too: unless WEBHOOK_SIGNING_SECRETS says otherwise, with a development secret
  // (only in the development setup: with an admin secret or a public HOST, this is no longer a private machine).
  const signing =
    developing && !defaults.env.WEBHOOK_SIGNING_SECRETS
      ? developmentSigningSecret(defaults.env.TEMPORAL_DATA_DIR || resolve(__dirname, '..', '.temporal'))
      : undefined;
  const env = signing === undefined ? defaults.env : { ...defaults.env, WEBHOOK_SIGNING_SECRETS: signing.secret };
  const config = loadConfig(env);
  installWorkerLogging('INFO', sdkMetricsAddress(config));
  // First, so that a port already in use is reported at once, not after the dev server, the bundle and the warm-up.
  // Its Temporal client connects lazily: until the dev server answers, requests get the API's usual 503.
  // One process, one set of metrics: the API's /metrics shows the worker's attempts too.
  const metrics = new ServiceMetrics();
  const server = await startApi(config, metrics);
  const startedHere = !devServer('status');
  const { worker, connection } = await startWorker(config, startedHere, metrics).catch((error: unknown) => {
    // Leave nothing running behind the error message (the dev server runs in the background).
    server.close();
    if (startedHere) devServer('stop');
    throw error;
  });
  console.log(`API:         http://${config.HOST}:${config.PORT}  (try POST /v1/metadata)`);
  console.log(`Console:     http://${config.HOST}:${config.PORT}/console`);
  console.log(`Temporal UI: ${config.TEMPORAL_UI_URL}`);
  console.log(`${describeDestinations(config)}${developing ? ': the development default of npm start' : ''}`);
  console.log(describeSigning(config, signing && relative(process.cwd(), signing.file)));
  if (signing !== undefined) console.log(`webhook signing secret (development): ${signing.secret}`);

  shutdownOnSignals(() => {
    server.close();
    worker.shutdown();
  });
  await worker.run();
  await connection.close();
  if (startedHere) devServer('stop');
}

/** Starts the dev server when `startHere`, then the worker. */
async function startWorker(
  config: Config,
  startHere: boolean,
  metrics: ServiceMetrics,
): ReturnType<typeof createEventWorker> {
  if (startHere && !devServer('start')) throw new Error('the Temporal dev server did not start (see above)');
  return createEventWorker(config, process.env, metrics);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
