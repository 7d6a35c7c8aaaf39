/**
 * The body of Temporal's codec-server protocol (`POST /codec/decode`, `POST /codec/encode`; ../routes/codec.ts):
 * payloads in protobuf's JSON form, bytes as base64.
 */
import { z } from 'zod';

/** Most payloads in one request: a history page's worth. */
const MAX_CODEC_PAYLOADS = 1000;

const Base64Schema = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, { error: 'must be base64' });

/** One payload in protobuf's JSON form. */
export const CodecPayloadSchema = z.object({
  metadata: z.record(z.string(), Base64Schema).optional(),
  data: Base64Schema.optional(),
});

export const CodecBodySchema = z
  .object({ payloads: z.array(CodecPayloadSchema).max(MAX_CODEC_PAYLOADS) })
  .meta({ description: "Temporal's codec-server body: payloads in protobuf's JSON form (bytes as base64)" });
