import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import { FakeEventScheduler } from '../../../test/doubles/fake-scheduler';
import { RecordingLogger } from '../../../test/doubles/api';
import { EncryptionCodec } from '../../temporal/encryption-codec';
import { createApp } from '../app';

const UI = 'http://127.0.0.1:8233';
const k1 = { id: 'k1', key: randomBytes(32) };

function setup(options: { adminSecret?: string; codec?: boolean } = {}) {
  return createApp({
    scheduler: new FakeEventScheduler(),
    logger: new RecordingLogger(),
    temporalUiUrl: UI,
    adminSecret: options.adminSecret,
    payloadCodec: options.codec === false ? undefined : new EncryptionCodec([k1]),
  });
}

const asJson = (value: unknown) => {
  const payload = defaultPayloadConverter.toPayload(value);
  return {
    metadata: Object.fromEntries(
      Object.entries(payload.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
    ),
    data: Buffer.from(payload.data!).toString('base64'),
  };
};

async function call(app: ReturnType<typeof setup>, direction: string, payloads: unknown[], headers = {}) {
  const res = await app.request(`/codec/${direction}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify({ payloads }),
  });
  return { res, body: (await res.json()) as { payloads: { metadata: Record<string, string>; data: string }[] } };
}

describe('the codec endpoint', () => {
  it('seals and opens payloads in protobuf JSON form, as the Temporal Web UI sends them', async () => {
    const app = setup();
    const original = asJson({ comment: 'secret-marker' });
    const sealed = await call(app, 'encode', [original]);
    expect(sealed.res.status).toBe(200);
    expect(Buffer.from(sealed.body.payloads[0]!.metadata['encoding']!, 'base64').toString()).toBe('binary/encrypted');
    expect(Buffer.from(sealed.body.payloads[0]!.data, 'base64').toString('latin1')).not.toContain('secret-marker');
    const opened = await call(app, 'decode', sealed.body.payloads);
    expect(opened.body.payloads).toEqual([original]);
  });

  it('returns payloads as sent without a key, and refuses what is not payloads or cannot be opened', async () => {
    const plain = asJson({ a: 1 });
    expect((await call(setup({ codec: false }), 'decode', [plain])).body.payloads).toEqual([plain]);
    const app = setup();
    expect((await call(app, 'decode', [{ data: 'not base64!' }])).res.status).toBe(400);
    const foreign = await new EncryptionCodec([{ id: 'k9', key: randomBytes(32) }]).encode([
      defaultPayloadConverter.toPayload('x'),
    ]);
    const unknown = await call(app, 'decode', [
      {
        metadata: Object.fromEntries(
          Object.entries(foreign[0]!.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
        ),
        data: Buffer.from(foreign[0]!.data!).toString('base64'),
      },
    ]);
    expect(unknown.res.status).toBe(400);
    expect(unknown.body).toMatchObject({ code: 'parse-failed', path: '$.payloads' });
  });

  it('needs the admin secret, like every call that shows event data', async () => {
    const app = setup({ adminSecret: 's3cret' });
    expect((await call(app, 'decode', [asJson(1)])).res.status).toBe(401);
    expect((await call(app, 'decode', [asJson(1)], { Authorization: 'Bearer s3cret' })).res.status).toBe(200);
  });

  it("lets the Temporal Web UI's origin call it cross-origin (preflight with X-Namespace), and nothing else", async () => {
    const app = setup();
    const preflight = await app.request('/codec/decode', {
      method: 'OPTIONS',
      headers: {
        Origin: UI,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type,x-namespace',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(UI);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('x-namespace');
    const decoded = await call(app, 'decode', [asJson(1)], { Origin: UI, 'X-Namespace': 'default' });
    expect(decoded.res.status).toBe(200);
    expect(decoded.res.headers.get('access-control-allow-origin')).toBe(UI);
    // The UI's origin reaches the codec only; another origin not even that.
    const events = await app.request('/v1/events', { headers: { Origin: UI } });
    expect(events.status).toBe(403);
    expect((await call(app, 'decode', [asJson(1)], { Origin: 'http://127.0.0.1:9999' })).res.status).toBe(403);
  });
});
