/**
 * Temporal's codec-server protocol (docs/web-ui.md "Encrypted events"), so that the Temporal Web UI shows events
 * sealed with PAYLOAD_ENCRYPTION_KEYS in plaintext to whoever may read them: `POST /codec/decode` and
 * `POST /codec/encode`, each `{"payloads": [{"metadata": {name: base64}, "data": base64}]}` in and out (protobuf's
 * JSON form of Payload). Behind the admin secret like every other call (it opens what the API would show); the UI's
 * origin (TEMPORAL_UI_URL) may call it cross-origin (src/api/browser-guard.ts). Without keys it returns payloads as
 * they came.
 */
import { Hono } from 'hono';
import type { z } from 'zod';
import type { CodecPayload, PayloadCodecLike } from '../../shared/payload-codec';
import { ApiError, ROOT_PATH } from '../errors';
import { readJsonBody } from '../request-body';
import { CodecBodySchema, type CodecPayloadSchema } from '../schemas/codec';
import { parseOrThrow } from '../validation';
import { describeRoute } from '../openapi/operation';
import { codecDecodeDoc, codecEncodeDoc } from './operations.openapi';

/** The path prefix the Web UI is given as its codec endpoint. */
export const CODEC_PATH = '/codec';

type JsonPayload = z.output<typeof CodecPayloadSchema>;

const fromJson = (payload: JsonPayload): CodecPayload => ({
  metadata: Object.fromEntries(
    Object.entries(payload.metadata ?? {}).map(([name, value]) => [name, Buffer.from(value, 'base64')]),
  ),
  data: Buffer.from(payload.data ?? '', 'base64'),
});

const toJson = (payload: CodecPayload): JsonPayload => ({
  metadata: Object.fromEntries(
    Object.entries(payload.metadata ?? {}).map(([name, value]) => [name, Buffer.from(value).toString('base64')]),
  ),
  data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64'),
});

export function createCodecRouter(codec: PayloadCodecLike | undefined) {
  const run = async (body: unknown, direction: 'encode' | 'decode') => {
    const { payloads } = parseOrThrow(CodecBodySchema, body, ROOT_PATH);
    if (codec === undefined) return { payloads };
    let done: CodecPayload[];
    try {
      done = await codec[direction](payloads.map(fromJson));
    } catch (error) {
      // A payload sealed with a key this server lacks, or altered: the UI then shows it as it is.
      throw ApiError.parseFailed(
        `payloads could not be ${direction}d: ${error instanceof Error ? error.message : String(error)}`,
        '$.payloads',
      );
    }
    return { payloads: done.map(toJson) };
  };
  return new Hono()
    .post(`${CODEC_PATH}/decode`, describeRoute(codecDecodeDoc), async (c) =>
      c.json(await run(await readJsonBody(c), 'decode')),
    )
    .post(`${CODEC_PATH}/encode`, describeRoute(codecEncodeDoc), async (c) =>
      c.json(await run(await readJsonBody(c), 'encode')),
    );
}
