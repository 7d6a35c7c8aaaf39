import { execFileSync } from 'node:child_process';
import path from 'node:path';
import net from 'node:net';
import { ConfigSchema } from './config';
import { isLoopbackHost } from './shared/loopback';
import { startApi } from './server';

describe('startApi', () => {
  it('says which address is taken instead of crashing with a stack trace', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as net.AddressInfo;
    try {
      // The Temporal client connects lazily: nothing here needs a server.
      const config = ConfigSchema.parse({ PORT: String(port), ADMIN_SECRET: 'test-secret' });
      await expect(startApi(config)).rejects.toThrow(
        `the API cannot listen on http://127.0.0.1:${port}: the port is already in use (set PORT to a free one)`,
      );
    } finally {
      taken.close();
    }
  });
});

describe('startApi on a network address', () => {
  it('refuses to start without an admin secret, with a one-line reason', async () => {
    const config = ConfigSchema.parse({ HOST: '0.0.0.0', PORT: '0' });
    await expect(startApi(config)).rejects.toThrow(
      'the API will not start: HOST=0.0.0.0 is not a loopback address: set ADMIN_SECRET, or bind 127.0.0.1',
    );
  });

  it.each(['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]'])('needs no secret on loopback (%s)', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });

  it.each(['0.0.0.0', '::', '10.0.0.1', 'example.com', '127.0.0.1.example.com'])('%s is not loopback', (host) => {
    expect(isLoopbackHost(host)).toBe(false);
  });
});

describe('ALLOWED_ORIGINS', () => {
  it('is a comma-separated list of origins, empty by default', () => {
    expect(ConfigSchema.parse({}).ALLOWED_ORIGINS).toEqual([]);
    expect(ConfigSchema.parse({ ALLOWED_ORIGINS: 'https://a.example, http://localhost:3000' }).ALLOWED_ORIGINS).toEqual(
      ['https://a.example', 'http://localhost:3000'],
    );
    expect(() => ConfigSchema.parse({ ALLOWED_ORIGINS: 'https://a.example/path' })).toThrow(/origin/);
  });
});

describe('the API process', () => {
  it('loads no worker code: not @temporalio/worker, not the activities', () => {
    // A child process, because jest's module registry is not Node's.
    const script =
      "require('./src/server.ts');" +
      'const loaded = Object.keys(require.cache).filter((k) => /@temporalio[\\\\/]worker|[\\\\/]activities[\\\\/]/.test(k));' +
      'process.stdout.write(JSON.stringify(loaded));';
    const out = execFileSync(process.execPath, ['-r', 'tsx/cjs', '-e', script], {
      cwd: path.join(__dirname, '..'),
      encoding: 'utf8',
    });
    expect(JSON.parse(out)).toEqual([]);
  });
});
