import { createServer } from 'node:net';

/** A port nothing listens on right now on 127.0.0.1 (the OS picks it), where test servers bind. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('could not read the port of a listening socket'));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}

/**
 * Runs `start` on `count` fresh free ports, again on new ones when it fails, at most `attempts` times: a free port
 * can be taken by someone else (another suite's server) before the server binds it. Rejects with the last failure.
 */
export async function onFreePorts<T>(count: number, start: (ports: number[]) => Promise<T>, attempts = 3): Promise<T> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const ports: number[] = [];
    for (let n = 0; n < count; n++) ports.push(await freePort());
    try {
      return await start(ports);
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}
