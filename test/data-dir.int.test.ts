/**
 * At rest: the dev server's data dir holds every event's payload, headers and responses, so temporal-dev.sh makes it
 * readable by its user only (0700, files 0600), whatever the umask. Checked on the test server's own data dir,
 * which global-setup started through temporal-dev.sh.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

test('the database, its WAL files and the server log are 0600, in a 0700 dir', () => {
  const dir = process.env.TEST_TEMPORAL_DATA_DIR!;
  const mode = (file: string) => (statSync(file).mode & 0o777).toString(8);
  const files = readdirSync(dir).filter((f) => /^temporal(\.sqlite(-wal|-shm)?|-dev\.log)$/.test(f));
  expect(files).toEqual(expect.arrayContaining(['temporal.sqlite', 'temporal-dev.log']));
  for (const file of files) expect([file, mode(path.join(dir, file))]).toEqual([file, '600']);
  expect(mode(dir)).toBe('700');
});
