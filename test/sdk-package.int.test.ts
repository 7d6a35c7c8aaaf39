/**
 * The SDK as a user installs it: packages/sdk is packed (its prepack builds it), the tarball is installed alone into an empty
 * project outside the repository, and scripts there (one `require`, one `import`) schedule an event that the real
 * stack delivers to a local receiver.
 */
import { execFile, execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { promisify } from 'node:util';
import { serve, type ServerType } from '@hono/node-server';
import { type Receiver, startReceiver } from './helpers/receiver';
import { createIsolatedNamespace, type Stack, startStack } from './helpers/stack';

const ROOT = join(__dirname, '..');
const npm = (args: string[], cwd: string) =>
  execFileSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, encoding: 'utf8' });

let receiver: Receiver;
let stack: Stack;
let server: ServerType;
let baseUrl: string;
const temporary: string[] = [];

beforeAll(async () => {
  receiver = await startReceiver();
  stack = await startStack({ namespace: await createIsolatedNamespace(`sdk-pkg-${randomUUID().slice(0, 8)}`) });
  server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: stack.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await stack?.stop();
  await receiver?.close();
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

/** A script that schedules one event to `path` with the installed package and prints how it ended. */
const script = (load: string, path: string) => `${load}
const client = new ScheduledEventsClient({ baseUrl: process.env.API_URL });
(async () => {
  const event = await client.create({ webhook: process.env.WEBHOOK_URL, scheduleAt: new Date(Date.now() + 500), payload: { via: '${path}' } });
  const done = await client.waitFor(event.id, 'delivered', { timeoutMs: 20000, pollIntervalMs: 200 });
  console.log(JSON.stringify({ id: done.id, status: done.status, max: MAX_BATCH_EVENTS }));
})().catch((err) => { console.error(err); process.exit(1); });
`;

test('the packed SDK installs alone in an empty project and schedules an event with require and with import', async () => {
  const packDir = mkdtempSync(join(tmpdir(), 'sdk-pack-'));
  const project = mkdtempSync(join(tmpdir(), 'sdk-user-'));
  temporary.push(packDir, project);
  const [packed] = JSON.parse(npm(['pack', '--json', '--pack-destination', packDir], join(ROOT, 'packages/sdk'))) as {
    filename: string;
    files: { path: string }[];
  }[];
  // Exactly the SDK's modules and the shared modules they use, each with its types; nothing else. The internal
  // modules that speak the wire ship without types: theirs are type imports of the server's schemas (src/sdk/wire.ts),
  // which the package does not carry, and no public type reaches them.
  const typeOnly = ['wire'];
  const internal = ['wire', 'from-wire', 'to-wire', 'to-api-error'];
  const sdkModules = readdirSync(join(ROOT, 'src/sdk'))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => f.replace(/\.ts$/, ''));
  const expected = sdkModules
    .flatMap((m) => [
      ...(typeOnly.includes(m) ? [] : [`dist/sdk/${m}.js`]),
      ...(internal.includes(m) ? [] : [`dist/sdk/${m}.d.ts`]),
    ])
    .concat(['event', 'error-codes'].flatMap((m) => [`dist/shared/${m}.js`, `dist/shared/${m}.d.ts`]))
    .concat('LICENSE', 'README.md', 'package.json');
  const shipped = packed!.files.map((f) => f.path);
  expect([...shipped].sort()).toEqual(expected.sort());
  // Every relative import of every shipped file resolves inside the package.
  const built = join(ROOT, 'packages/sdk');
  for (const file of shipped.filter((f) => f.endsWith('.js') || f.endsWith('.d.ts'))) {
    const text = readFileSync(join(built, file), 'utf8');
    for (const [, spec] of text.matchAll(/(?:from |require\()['"](\.{1,2}\/[^'"]+)['"]/g)) {
      const target = posix.join(posix.dirname(file), spec!);
      expect([file, shipped.some((f) => f === `${target}.js` || f === `${target}.d.ts`)]).toEqual([file, true]);
    }
  }

  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'sdk-user', version: '1.0.0', private: true }));
  npm(['install', '--offline', join(packDir, packed!.filename)], project);
  // Nothing else came with it: no Temporal, no Hono.
  expect(readdirSync(join(project, 'node_modules')).filter((name) => !name.startsWith('.'))).toEqual([
    'scheduled-events-sdk',
  ]);

  writeFileSync(
    join(project, 'use.cjs'),
    script("const { ScheduledEventsClient, MAX_BATCH_EVENTS } = require('scheduled-events-sdk');", '/cjs'),
  );
  writeFileSync(
    join(project, 'use.mjs'),
    script("import { ScheduledEventsClient, MAX_BATCH_EVENTS } from 'scheduled-events-sdk';", '/mjs'),
  );
  // TypeScript consumers find the types under both module resolutions in use.
  writeFileSync(
    join(project, 'check.ts'),
    "import { ScheduledEventsClient, type ScheduledEvent } from 'scheduled-events-sdk';\n" +
      "export const read: (id: string) => Promise<ScheduledEvent> = (id) => new ScheduledEventsClient({ baseUrl: 'http://127.0.0.1:1' }).get(id);\n",
  );
  const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
  for (const [module, moduleResolution] of [
    ['node16', 'node16'],
    ['commonjs', 'node10'],
  ]) {
    const compilerOptions = { strict: true, noEmit: true, lib: ['es2022', 'dom'], types: [], module, moduleResolution };
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['check.ts'] }));
    execFileSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: project, encoding: 'utf8' });
  }

  const run = promisify(execFile);
  const outcomes = await Promise.all(
    (['cjs', 'mjs'] as const).map(async (kind) => {
      const env = { ...process.env, API_URL: baseUrl, WEBHOOK_URL: receiver.url(`/${kind}`) };
      const { stdout } = await run(process.execPath, [`use.${kind}`], { cwd: project, env, timeout: 30_000 });
      return JSON.parse(stdout) as { id: string; status: string; max: number };
    }),
  );
  for (const outcome of outcomes) expect(outcome).toMatchObject({ status: 'delivered', max: 1000 });
  expect(receiver.requestsTo('/cjs')[0]?.body).toMatchObject({ id: outcomes[0]!.id, payload: { via: '/cjs' } });
  expect(receiver.requestsTo('/mjs')[0]?.body).toMatchObject({ id: outcomes[1]!.id, payload: { via: '/mjs' } });
});
