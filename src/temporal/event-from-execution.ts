import type { WorkflowExecutionInfo } from '@temporalio/client';
import type { EventDefinition, EventStatus, ScheduledEvent } from '../shared/event';
import { EVENT_STATUSES, FINAL_STATUSES } from '../shared/event';
import {
  EVENT_NEXT_RETRY_AT,
  EVENT_STATUS,
  EVENT_TRIES,
  MEMO_CREATED_AT,
  MEMO_DEFINITION,
} from '../../workflows/storage-schema';

/** The parts of a listing entry or a describe result that an event is built from. */
type ExecutionView = Pick<WorkflowExecutionInfo, 'workflowId' | 'memo' | 'typedSearchAttributes' | 'status'>;

/**
 * Builds an event from what visibility or describe returns: the definition from the memo, the live state from
 * search attributes. Returns undefined for executions that are not events (no memo).
 */
export function eventFromExecution(info: ExecutionView): ScheduledEvent | undefined {
  const definition = info.memo?.[MEMO_DEFINITION] as EventDefinition | undefined;
  const createdAt = info.memo?.[MEMO_CREATED_AT];
  if (definition === undefined || typeof createdAt !== 'string') return undefined;
  const attributes = info.typedSearchAttributes;
  const nextRetryAt = attributes.get(EVENT_NEXT_RETRY_AT);
  return {
    id: info.workflowId,
    createdAt,
    ...definition,
    status: statusOf(info, attributes.get(EVENT_STATUS)),
    tries: attributes.get(EVENT_TRIES) ?? 0,
    nextRetryAt: nextRetryAt === undefined ? null : new Date(nextRetryAt).toISOString(),
  };
}

/**
 * The workflow keeps its status in a search attribute. A workflow that closed without setting a final one was
 * ended from outside (terminated or cancelled by an operator: `cancelled`) or broke (failed, timed out: `error`).
 */
function statusOf(info: ExecutionView, recorded: string | undefined): EventStatus {
  const status = EVENT_STATUSES.find((s) => s === recorded) ?? 'scheduled';
  if (info.status.name === 'RUNNING' || FINAL_STATUSES.includes(status)) return status;
  return info.status.name === 'TERMINATED' || info.status.name === 'CANCELLED' ? 'cancelled' : 'error';
}
