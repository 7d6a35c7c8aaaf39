import {
  Client,
  Connection,
  defaultGrpcRetryOptions,
  makeGrpcRetryInterceptor,
  type DataConverter,
  type TLSConfig,
} from '@temporalio/client';
import { payloadCodecsFor, type EncryptionKey } from './encryption-codec';

/** How to reach Temporal: the dev server by default, or a real cluster / Temporal Cloud with TLS or an API key. */
export interface TemporalConnectionConfig {
  /** host:port of the frontend. */
  address: string;
  namespace: string;
  /** Enable TLS (implied by an API key or client certificates). */
  tls?: boolean;
  /** Temporal Cloud API key. */
  apiKey?: string;
  /** PEM client certificate and key, for mTLS. */
  clientCertPem?: string;
  clientKeyPem?: string;
  serverNameOverride?: string;
  /** Payload encryption keys (PAYLOAD_ENCRYPTION_KEYS), the first sealing; none: payloads are stored as JSON. */
  encryptionKeys?: readonly EncryptionKey[];
}

/** Connecting gives up after this long, so an unreachable Temporal becomes a fast 503 rather than a hang. */
const CONNECT_TIMEOUT_MS = 2000;

/**
 * gRPC attempts per call while Temporal does not answer (the SDK's default is 10, about 10 s of backoff). The API
 * answers 503 instead and lets its caller retry, so a few quick tries are enough.
 */
const GRPC_MAX_ATTEMPTS = 3;

/**
 * Largest gRPC response the client accepts (gRPC's default is 4 MiB). A listing page carries each event's memo and
 * a history page each attempt's input, and a payload may be up to 1 MiB, so a few large events would otherwise
 * make listings and invocation logs fail.
 */
const MAX_RECEIVE_MESSAGE_BYTES = 128 * 1024 * 1024;

/** The data converter of the client and the worker alike: both must seal and open payloads the same way. */
export function dataConverterOf(config: Pick<TemporalConnectionConfig, 'encryptionKeys'>): DataConverter {
  return { payloadCodecs: payloadCodecsFor(config.encryptionKeys ?? []) };
}

/** The gRPC connection options shared by the client and the worker's native connection. */
export function connectionOptions(config: TemporalConnectionConfig): {
  address: string;
  tls?: TLSConfig;
  apiKey?: string;
} {
  const mtls =
    config.clientCertPem && config.clientKeyPem
      ? { clientCertPair: { crt: Buffer.from(config.clientCertPem), key: Buffer.from(config.clientKeyPem) } }
      : undefined;
  const tlsWanted = config.tls || config.apiKey !== undefined || mtls !== undefined;
  return {
    address: config.address,
    tls: tlsWanted ? { ...mtls, serverNameOverride: config.serverNameOverride } : undefined,
    apiKey: config.apiKey,
  };
}

/**
 * A client whose connection is made on first use: the API process starts (and answers 503) even while Temporal
 * is down, and recovers by itself when it comes back.
 */
export function createTemporalClient(config: TemporalConnectionConfig): Client {
  const connection = Connection.lazy({
    ...connectionOptions(config),
    connectTimeout: CONNECT_TIMEOUT_MS,
    interceptors: [makeGrpcRetryInterceptor(defaultGrpcRetryOptions({ maxAttempts: GRPC_MAX_ATTEMPTS }))],
    channelArgs: { 'grpc.max_receive_message_length': MAX_RECEIVE_MESSAGE_BYTES },
  });
  return new Client({ connection, namespace: config.namespace, dataConverter: dataConverterOf(config) });
}
