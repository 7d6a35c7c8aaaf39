import net from 'node:net';
import { ConfigSchema } from './config';
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
