/**
 * Jest globalTeardown for the integration project: stops the dev server started by test/global-setup.ts and
 * removes its temporary data dir (database, server log, workflow bundle). Runs in the same parent process as
 * globalSetup, so it reads what that set in process.env.
 */
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

const ROOT = path.resolve(__dirname, '..');

export default async function globalTeardown(): Promise<void> {
  const dataDir = process.env.TEST_TEMPORAL_DATA_DIR;
  if (!dataDir) return;
  try {
    // `stop` finds the server by the pid file in its data dir and waits for it to exit.
    await execFileAsync('bash', [path.join(ROOT, 'temporal-dev.sh'), 'stop'], {
      cwd: ROOT,
      env: { ...process.env, TEMPORAL_DATA_DIR: dataDir },
      timeout: 60_000,
    });
  } finally {
    // Keep the server log when asked to, for debugging a failed run.
    if (process.env.KEEP_TEMPORAL_TEST_DATA === '1') {
      console.log(`Temporal test data kept in ${dataDir}`);
    } else {
      await rm(dataDir, { recursive: true, force: true });
    }
  }
}
