/**
 * What the API's codec endpoint (src/api/routes/codec.ts) needs of a payload codec, without naming Temporal: the
 * shape of Temporal's `Payload` and `PayloadCodec`, which src/temporal/encryption-codec.ts implements.
 */
export interface CodecPayload {
  metadata?: Record<string, Uint8Array> | null;
  data?: Uint8Array | null;
}

export interface PayloadCodecLike {
  encode(payloads: CodecPayload[]): Promise<CodecPayload[]>;
  decode(payloads: CodecPayload[]): Promise<CodecPayload[]>;
}
