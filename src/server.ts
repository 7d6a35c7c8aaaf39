import { serve, type ServerType } from '@hono/node-server';
import { createApp } from './api/app';
import { createTemporalClient, TemporalEventScheduler } from './temporal';
import { ServiceMetrics } from './metrics/service-metrics';
import { adminSecretOf, type Config, envPolicyOf, loadConfig, temporalConnectionOf, unsafeExposure } from './config';
import { shutdownOnSignals } from './shutdown';

/** Starts the HTTP API on the configured host and port; resolves once it listens. */
export async function startApi(config: Config, metrics?: ServiceMetrics): Promise<ServerType> {
  const exposure = unsafeExposure(config);
  if (exposure !== undefined) throw new Error(`the API will not start: ${exposure}`);
  const client = createTemporalClient(temporalConnectionOf(config));
  const scheduler = new TemporalEventScheduler({ client, taskQueue: config.TEMPORAL_TASK_QUEUE });
  const adminSecret = adminSecretOf(config);
  if (adminSecret === undefined) {
    console.warn('warning: no ADMIN_SECRET set; the API is open to anyone who can reach it (development only)');
  }
  const app = createApp({
    scheduler,
    adminSecret,
    temporalUiUrl: config.TEMPORAL_UI_URL,
    temporalNamespace: config.TEMPORAL_NAMESPACE,
    allowedOrigins: config.ALLOWED_ORIGINS,
    // The codec the client itself uses (none without PAYLOAD_ENCRYPTION_KEYS).
    payloadCodec: client.options.loadedDataConverter.payloadCodecs[0],
    metrics,
    webhookRules: { envPolicy: envPolicyOf(config), allowedDestinations: config.WEBHOOK_ALLOWED_DESTINATIONS },
    logger: console,
  });
  return new Promise((resolve, reject) => {
    // Without a listener, a port already taken is an uncaught 'error' event: a stack trace instead of a message.
    // Only while starting: a later server error must not vanish into a promise already settled.
    const onListenError = (error: NodeJS.ErrnoException): void => {
      const reason =
        error.code === 'EADDRINUSE' ? 'the port is already in use (set PORT to a free one)' : error.message;
      reject(new Error(`the API cannot listen on http://${config.HOST}:${config.PORT}: ${reason}`, { cause: error }));
    };
    const server = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST }, () => {
      server.off('error', onListenError);
      resolve(server);
    });
    server.once('error', onListenError);
  });
}

async function main(): Promise<void> {
  const config = loadConfig();
  const server = await startApi(config, new ServiceMetrics());
  shutdownOnSignals(() => server.close());
  console.log(`API listening on http://${config.HOST}:${config.PORT} (console: /console)`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
