import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import {
  EncryptionCodec,
  KEY_ID_METADATA,
  parseEncryptionKeys,
  payloadCodecsFor,
  type EncryptionKey,
} from './encryption-codec';

const key = (id: string): EncryptionKey => ({ id, key: randomBytes(32) });
const text = (payload: Payload) => Buffer.from(payload.data ?? []).toString('latin1');
const MARKER = 'marker-7f3a9c';

describe('EncryptionCodec', () => {
  const k1 = key('k1');
  const k2 = key('k2');
  const original = defaultPayloadConverter.toPayload({ comment: MARKER, nested: { body: `<p>${MARKER}</p>` } });

  it('seals a payload so nothing of it is readable, and opens it to the same payload', async () => {
    const codec = new EncryptionCodec([k1]);
    const [sealed] = await codec.encode([original]);
    expect(EncryptionCodec.isSealed(sealed!)).toBe(true);
    expect(text(sealed!)).not.toContain(MARKER);
    expect(Buffer.from(sealed!.metadata![KEY_ID_METADATA]!).toString()).toBe('k1');
    const [opened] = await codec.decode([sealed!]);
    expect(defaultPayloadConverter.fromPayload(opened!)).toEqual({
      comment: MARKER,
      nested: { body: `<p>${MARKER}</p>` },
    });
    // A fresh nonce every time: the same payload never seals to the same bytes.
    const [again] = await codec.encode([original]);
    expect(text(again!)).not.toBe(text(sealed!));
  });

  it('opens payloads sealed under an older key after a rotation, and seals with the first', async () => {
    const [underOld] = await new EncryptionCodec([k1]).encode([original]);
    const rotated = new EncryptionCodec([k2, k1]);
    expect(defaultPayloadConverter.fromPayload((await rotated.decode([underOld!]))[0]!)).toMatchObject({
      comment: MARKER,
    });
    const [underNew] = await rotated.encode([original]);
    expect(Buffer.from(underNew!.metadata![KEY_ID_METADATA]!).toString()).toBe('k2');
  });

  it('passes unsealed payloads through (events from before a key was set)', async () => {
    expect(await new EncryptionCodec([k1]).decode([original])).toEqual([original]);
  });

  it('refuses a payload sealed with a key it does not have, or altered in any way', async () => {
    const [sealed] = await new EncryptionCodec([k1]).encode([original]);
    await expect(new EncryptionCodec([k2]).decode([sealed!])).rejects.toThrow(
      'encryption key "k1", which is not configured',
    );
    const flipped = Buffer.from(sealed!.data!);
    flipped[20] = flipped[20]! ^ 1;
    await expect(new EncryptionCodec([k1]).decode([{ ...sealed!, data: flipped }])).rejects.toThrow();
    // The key id is bound in: relabelling a payload as another configured key's does not open it.
    const other = { id: 'k2', key: k1.key };
    const relabelled = { ...sealed!, metadata: { ...sealed!.metadata, [KEY_ID_METADATA]: Buffer.from('k2') } };
    await expect(new EncryptionCodec([k1, other]).decode([relabelled])).rejects.toThrow();
    await expect(new EncryptionCodec([k1]).decode([{ ...sealed!, data: new Uint8Array(8) }])).rejects.toThrow(
      'too short',
    );
  });
});

describe('parseEncryptionKeys', () => {
  const b64 = randomBytes(32).toString('base64');

  it('reads id:key entries separated by spaces or commas, the first sealing', () => {
    const keys = parseEncryptionKeys(`new:${b64}, old:${randomBytes(32).toString('base64')}`);
    expect(keys.map((k) => k.id)).toEqual(['new', 'old']);
    expect(keys[0]!.key.toString('base64')).toBe(b64);
    expect(parseEncryptionKeys('  ')).toEqual([]);
    expect(payloadCodecsFor([])).toEqual([]);
    expect(payloadCodecsFor(keys)).toHaveLength(1);
  });

  it.each([
    [b64, 'expected <id>:<base64 key>'],
    [`bad id:${b64}`, 'expected <id>:<base64 key>'],
    ['k1:c2hvcnQ=', 'must be 32 bytes'],
    [`k1:${b64}!!`, 'must be 32 bytes'],
    [`k1:${b64} k1:${b64}`, 'given twice'],
  ])('refuses %s, naming the entry but never its key', (entry, message) => {
    let thrown: unknown;
    try {
      parseEncryptionKeys(entry);
    } catch (error) {
      thrown = error;
    }
    expect((thrown as Error).message).toContain(message);
    expect((thrown as Error).message).not.toContain(b64);
  });
});
