import {
  isGrpcServiceError,
  ServiceError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
} from '@temporalio/client';
import { EventConflictError, EventNotFoundError, SchedulerUnavailableError } from '../shared/errors';

/** The gRPC status codes we act on (grpc/status.proto). */
export const GrpcStatus = {
  CANCELLED: 1,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  UNAVAILABLE: 14,
} as const;

/** gRPC codes that mean "Temporal is not answering (or is rate-limiting us)" rather than "Temporal said no". */
const UNAVAILABLE_CODES: readonly number[] = [
  GrpcStatus.UNAVAILABLE,
  GrpcStatus.DEADLINE_EXCEEDED,
  GrpcStatus.CANCELLED,
  GrpcStatus.RESOURCE_EXHAUSTED,
];

/** Translates a Temporal client error into the service's own errors; anything unknown passes through. */
export function toDomainError(err: unknown, eventId?: string): unknown {
  const id = eventId ?? '';
  if (err instanceof WorkflowNotFoundError) return new EventNotFoundError(id);
  if (err instanceof WorkflowExecutionAlreadyStartedError) {
    return new EventConflictError(id, `an event with id ${id} already exists`);
  }
  if (err instanceof WorkflowUpdateFailedError) {
    return new EventConflictError(id, err.cause?.message ?? 'the event can no longer be changed');
  }
  // No worker took the Update's workflow task in time (e.g. the one holding the event's sticky queue was just
  // killed): the server is fine, the answer is only late. Retryable, like any other "not now".
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return new SchedulerUnavailableError({ cause: err });
  const grpc = grpcCause(err);
  if (grpc !== undefined) {
    if (UNAVAILABLE_CODES.includes(grpc.code)) return new SchedulerUnavailableError({ cause: err });
    if (grpc.code === GrpcStatus.NOT_FOUND) return new EventNotFoundError(id);
    if (grpc.code === GrpcStatus.FAILED_PRECONDITION && /completed|closed/i.test(grpc.details ?? '')) {
      return new EventConflictError(id, 'the event has already finished');
    }
  }
  // The lazy connection's first connect fails with a plain error before any gRPC call is made.
  if (err instanceof Error && /Failed to connect|connect ECONNREFUSED|No connection established/i.test(err.message)) {
    return new SchedulerUnavailableError({ cause: err });
  }
  return err;
}

/** The gRPC error behind `err`, thrown by the client as it is or wrapped in a ServiceError. */
export function grpcCause(err: unknown): { code: number; details?: string } | undefined {
  if (isGrpcServiceError(err)) return err;
  if (err instanceof ServiceError && isGrpcServiceError(err.cause)) return err.cause;
  return undefined;
}
