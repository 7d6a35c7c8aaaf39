/** The SDK package is versioned with the API it speaks: its version is the service's. */
import sdk from '../packages/sdk/package.json';
import service from '../package.json';

test('packages/sdk has the service version', () => {
  expect(sdk.version).toBe(service.version);
});
