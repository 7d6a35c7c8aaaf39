import { createTestApp } from '../../../test/doubles/api';
import { CONSOLE_CONTENT_SECURITY_POLICY, CONSOLE_PATHS } from './console';

describe('GET /console', () => {
  const { app } = createTestApp({ adminSecret: 'secret-123' });

  it('serves the page, its script and its stylesheet without the admin secret (they hold no data)', async () => {
    const types = ['text/html', 'text/javascript', 'text/css'];
    for (const [index, path] of CONSOLE_PATHS.entries()) {
      const res = await app.request(path);
      expect([path, res.status]).toEqual([path, 200]);
      expect(res.headers.get('content-type')).toContain(types[index]);
      expect(res.headers.get('content-security-policy')).toBe(CONSOLE_CONTENT_SECURITY_POLICY);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
    }
    // The data stays behind the secret.
    expect((await app.request('/v1/events')).status).toBe(401);
  });

  it('allows no inline script or style, no other origin, and no framing', () => {
    expect(CONSOLE_CONTENT_SECURITY_POLICY).toContain("default-src 'none'");
    expect(CONSOLE_CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONSOLE_CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'");
    expect(CONSOLE_CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
  });

  it('has no inline script in the page, and bundles the client into one small module', async () => {
    const page = await (await app.request('/console')).text();
    expect(page).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    const script = await (await app.request('/console/app.js')).text();
    expect(script.length).toBeGreaterThan(1000);
    expect(script.length).toBeLessThan(150 * 1024);
    // Browser code: nothing of Node or of the server got bundled.
    expect(script).not.toMatch(/require\(|process\.env|node:/);
  });
});
