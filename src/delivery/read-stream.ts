import type { Readable } from 'node:stream';

/**
 * Reads a byte stream (a `node:http` response) through its events, handing each chunk to `keep` until it returns
 * false; the rest is then not read: the stream is destroyed, which closes its connection rather than draining it.
 * Resolves true when `keep` stopped it, false at its end. Rejects with the stream's error, or when it closes before
 * its end (the connection broken off, or the call aborted).
 *
 * Why events and not `for await`: a stream's async iterator costs a dozen ticks and promises per response, which in
 * a burst of 10,000 took the worker's thread from the calls still going out (bench/PERFORMANCE.md "Bursts of 10,000:
 * the worker at the instant").
 */
export function readStream(body: Readable, keep: (chunk: Buffer) => boolean): Promise<boolean> {
  const closedEarly = (): Error => body.errored ?? new Error('the connection closed before the body ended');
  if (body.readableEnded) return Promise.resolve(false);
  if (body.destroyed) return Promise.reject(closedEarly());
  return new Promise((resolve, reject) => {
    const stop = (): void => {
      body.off('data', onData);
      body.off('end', onEnd);
      body.off('error', onError);
      body.off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      if (keep(chunk)) return;
      stop();
      body.destroy();
      resolve(true);
    };
    const onEnd = (): void => {
      stop();
      resolve(false);
    };
    const onError = (error: Error): void => {
      stop();
      reject(error);
    };
    const onClose = (): void => onError(closedEarly());
    body.on('data', onData);
    body.once('end', onEnd);
    body.once('error', onError);
    body.once('close', onClose);
  });
}
