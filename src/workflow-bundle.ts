/**
 * The workflow code bundle, built from workflows/ in a short-lived child process. Bundling (webpack) inside the
 * worker left its memory behind for the worker's whole life: an idle worker that bundled itself sat at about 240 MB
 * RSS, one given a bundle at about 155–190 MB. The bundle is still built from the current sources at every start,
 * so it can never be stale.
 */
import { fork } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';

/** Bound on the child's work; a first bundling on a slow machine takes a few seconds. */
const BUNDLE_TIMEOUT_MS = 120_000;

/** What the child sends back. */
type BundleMessage = { code: string } | { error: string };

/** Webpack's own progress output at INFO says nothing a user of the worker needs; warnings and errors still show. */
async function bundle(): Promise<string> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../workflows'),
    logger: new DefaultLogger('WARN'),
  });
  return code;
}

/**
 * Bundles workflows/ in a child process (this file; under `tsx` when it is the TypeScript source) and resolves with
 * the code, for `Worker.create({ workflowBundle: { code } })`.
 */
export function bundleWorkflowsInChildProcess(): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, [], {
      // Not the parent's flags (they may be a test runner's): only what it takes to run this file.
      // tsx by absolute path: a bare `tsx` would be resolved from the working directory, which may be anywhere.
      execArgv: __filename.endsWith('.ts') ? ['--import', pathToFileURL(require.resolve('tsx')).href] : [],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      timeout: BUNDLE_TIMEOUT_MS,
    });
    let settled = false;
    const settle = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      outcome();
    };
    child.once('message', (message: BundleMessage) =>
      settle(() =>
        'code' in message ? resolve(message.code) : reject(new Error(`bundling workflows: ${message.error}`)),
      ),
    );
    child.once('error', (error) => settle(() => reject(error)));
    // 'close', not 'exit': it comes after the IPC channel is drained, so a sent bundle is never missed.
    child.once('close', (code, signal) =>
      settle(() => reject(new Error(`bundling workflows: the child process exited (${signal ?? `code ${code}`})`))),
    );
  });
}

if (require.main === module && process.send) {
  const send = (message: BundleMessage): void => {
    process.send?.(message, () => process.exit(0));
  };
  bundle().then(
    (code) => send({ code }),
    (error: unknown) => send({ error: error instanceof Error ? error.message : String(error) }),
  );
}
