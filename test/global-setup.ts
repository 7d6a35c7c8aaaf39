/**
 * Jest globalSetup for the integration project: one private Temporal dev server and one workflow bundle for the
 * whole run.
 *
 * - The server is started through `temporal-dev.sh start` (the same flags, search attributes and retention as in
 *   development), headless, on a free port, with a fresh temporary data dir: tests never touch a developer's server
 *   or database, and runs never see each other's events.
 * - The workflow code is bundled once (webpack takes seconds) and written to a file; every test worker loads it with
 *   `workflowBundle: { codePath }` (see test/helpers/temporal.ts) instead of re-bundling per Worker.
 *
 * This runs in Jest's parent process; the environment variables set here are inherited by the test workers:
 *   TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE   where the server listens
 *   TEST_WORKFLOW_BUNDLE_PATH             the bundled workflow code
 *   TEST_TEMPORAL_DATA_DIR                the temp dir (database, server log, bundle); removed by global-teardown
 *   TEMPORAL_CLI_PATH                     the `temporal` binary used
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { onFreePorts } from './helpers/free-port';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';

const execFileAsync = promisify(execFile);

const ROOT = path.resolve(__dirname, '..');
const SCRIPT = path.join(ROOT, 'temporal-dev.sh');
const NAMESPACE = 'default';

/** Runs `bash temporal-dev.sh <command>` with the given environment; resolves with stdout. */
async function devScript(command: string, env: NodeJS.ProcessEnv): Promise<string> {
  try {
    const { stdout } = await execFileAsync('bash', [SCRIPT, command], {
      cwd: ROOT,
      env,
      // `path` may build the CLI with `go install` (minutes); `start` bounds itself at ~60 s.
      timeout: 10 * 60_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`temporal-dev.sh ${command} failed: ${e.message}\n${e.stderr ?? ''}`, { cause: error });
  }
}

/** The environment for temporal-dev.sh: ours, minus settings that would point it at a developer's setup. */
function scriptEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env.TEMPORAL_DB_FILE;
  delete env.TEMPORAL_UI_PORT;
  delete env.TEMPORAL_RETENTION;
  return env;
}

function startServer(cliPath: string, dataDir: string): Promise<string> {
  return onFreePorts(1, async ([port]) => {
    await devScript(
      'start',
      scriptEnv({
        TEMPORAL_CLI_PATH: cliPath,
        TEMPORAL_PORT: String(port),
        TEMPORAL_HEADLESS: '1',
        TEMPORAL_DATA_DIR: dataDir,
        TEMPORAL_NAMESPACE: NAMESPACE,
      }),
    );
    return `127.0.0.1:${port}`;
  });
}

async function bundleWorkflows(dataDir: string): Promise<string> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../workflows'),
    // Webpack's progress output at INFO would bury Jest's own; warnings and errors still show.
    logger: new DefaultLogger('WARN'),
  });
  const bundlePath = path.join(dataDir, 'workflow-bundle.js');
  await writeFile(bundlePath, code);
  return bundlePath;
}

export default async function globalSetup(): Promise<void> {
  const cliPath = (await devScript('path', scriptEnv({}))).trim();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'scheduled-events-test-'));
  // Set first, so global-teardown can clean up whatever part of this succeeds.
  process.env.TEST_TEMPORAL_DATA_DIR = dataDir;
  process.env.TEMPORAL_CLI_PATH = cliPath;

  try {
    // Independent and each takes seconds: overlap them. Both settle before any cleanup, so a bundling error
    // cannot race a server that is still starting.
    const [server, bundle] = await Promise.allSettled([startServer(cliPath, dataDir), bundleWorkflows(dataDir)]);
    if (server.status === 'rejected') throw server.reason;
    if (bundle.status === 'rejected') throw bundle.reason;
    const [address, bundlePath] = [server.value, bundle.value];
    process.env.TEMPORAL_ADDRESS = address;
    process.env.TEMPORAL_NAMESPACE = NAMESPACE;
    process.env.TEST_WORKFLOW_BUNDLE_PATH = bundlePath;
  } catch (error) {
    // Jest does not run globalTeardown when globalSetup throws: stop what was started here.
    await devScript('stop', scriptEnv({ TEMPORAL_DATA_DIR: dataDir })).catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}
