/**
 * Encryption at rest (docs/security.md "Encrypted history"): a Temporal PayloadCodec that seals every payload the
 * client and the worker send (workflow inputs, memo, update arguments and results, activity inputs and results,
 * summaries) with AES-256-GCM before it reaches the server, so payloads, header values, comments and response bodies
 * are ciphertext in Temporal's database and in anything that reads it without the key. Search attributes (status,
 * due time, tries, next retry) are not payloads and stay readable, so listings and the Web UI's filters still work.
 *
 * A sealed payload is the whole original Payload (its metadata and data, as protobuf), encrypted; its own metadata
 * says `encoding: binary/encrypted` and which key sealed it (`encryption-key-id`, also bound into the tag as AAD).
 * Several keys may be configured: the first seals, every one opens, so events sealed under an old key still decode
 * after a rotation. A payload that is not sealed passes through, so events from before a key was set stay readable.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
const ENCODING_METADATA = 'encoding';

/** AES-256: 32-byte keys. */
const ENCRYPTION_KEY_BYTES = 32;
/** GCM's recommended nonce, random per payload (2^32 payloads per key keep the collision odds negligible). */
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Key ids are written into every payload's metadata: short, plain. */
const KEY_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

export interface EncryptionKey {
  id: string;
  key: Buffer;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Reads `PAYLOAD_ENCRYPTION_KEYS`: entries `<id>:<base64 of 32 random bytes>`, separated by spaces or commas; the
 * first seals. Throws with a message that names the entry by position, never its key.
 */
export function parseEncryptionKeys(text: string): EncryptionKey[] {
  const entries = text.split(/[\s,]+/).filter((entry) => entry !== '');
  const keys = entries.map((entry, i): EncryptionKey => {
    const where = `key ${i + 1} of ${entries.length}`;
    const colon = entry.indexOf(':');
    const id = colon < 0 ? '' : entry.slice(0, colon);
    if (!KEY_ID_PATTERN.test(id)) {
      throw new Error(`${where}: expected <id>:<base64 key>, the id 1 to 64 of A-Z a-z 0-9 . _ -`);
    }
    const encoded = entry.slice(colon + 1);
    const key = Buffer.from(encoded, 'base64');
    if (
      key.length !== ENCRYPTION_KEY_BYTES ||
      key.toString('base64').replace(/=+$/, '') !== encoded.replace(/=+$/, '')
    ) {
      throw new Error(
        `${where} (${id}): the key must be ${ENCRYPTION_KEY_BYTES} bytes in base64 (openssl rand -base64 32)`,
      );
    }
    return { id, key };
  });
  const ids = new Set<string>();
  for (const { id } of keys) {
    if (ids.has(id)) throw new Error(`key id ${id} is given twice`);
    ids.add(id);
  }
  return keys;
}

function metadataText(payload: Payload, name: string): string | undefined {
  const value = payload.metadata?.[name];
  return value === undefined || value === null ? undefined : decoder.decode(value);
}

export class EncryptionCodec implements PayloadCodec {
  private readonly sealing: EncryptionKey;
  private readonly byId: ReadonlyMap<string, Buffer>;

  /** @param keys the first seals; all open. At least one. */
  constructor(keys: readonly EncryptionKey[]) {
    const [first] = keys;
    if (first === undefined) throw new Error('EncryptionCodec needs at least one key');
    this.sealing = first;
    this.byId = new Map(keys.map(({ id, key }) => [id, key]));
  }

  // Async only because the interface is: node:crypto seals a payload in microseconds.
  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.seal(payload));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.open(payload));
  }

  /** Whether a payload is sealed (by any key). */
  static isSealed(payload: Payload): boolean {
    return metadataText(payload, ENCODING_METADATA) === ENCRYPTED_ENCODING;
  }

  private seal(payload: Payload): Payload {
    const { id, key } = this.sealing;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(encoder.encode(id));
    const plain = temporal.api.common.v1.Payload.encode(payload).finish();
    const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    return {
      metadata: { [ENCODING_METADATA]: encoder.encode(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: encoder.encode(id) },
      data: sealed,
    };
  }

  private open(payload: Payload): Payload {
    if (!EncryptionCodec.isSealed(payload)) return payload;
    const id = metadataText(payload, KEY_ID_METADATA) ?? '';
    const key = this.byId.get(id);
    if (key === undefined) {
      throw new Error(`payload sealed with encryption key "${id}", which is not configured (PAYLOAD_ENCRYPTION_KEYS)`);
    }
    const data = Buffer.from(payload.data ?? new Uint8Array());
    if (data.length < IV_BYTES + TAG_BYTES) throw new Error(`sealed payload is too short (${data.length} bytes)`);
    const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
    decipher.setAAD(encoder.encode(id));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    const plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
    const decoded = temporal.api.common.v1.Payload.decode(plain);
    return { metadata: decoded.metadata, data: decoded.data };
  }
}

/** The codecs for a list of keys: none without keys (payloads as today), else the encryption codec. */
export function payloadCodecsFor(keys: readonly EncryptionKey[]): PayloadCodec[] {
  return keys.length === 0 ? [] : [new EncryptionCodec(keys)];
}
