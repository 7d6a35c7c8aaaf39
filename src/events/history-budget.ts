import { historyBudgetExceeded, recordedLength, type RecordedParts } from '../shared/event';

/**
 * Why these parts and retry count could outgrow the event's workflow history, or undefined when they fit. Each
 * attempt records the webhook body (payload and comment) and the headers twice (the activity's input and the logged
 * request), and Temporal terminates a workflow whose history passes 50 MB. The rule is src/shared/event.ts's, which
 * the workflow's edit validator applies too; here it is counted in UTF-8 bytes. Create (its schema) and edit
 * (EventService.edit) both ask it.
 */
export function historyBudgetProblem(parts: RecordedParts, numRetries: number): string | undefined {
  const bytes = recordedLength(parts, (text) => Buffer.byteLength(text));
  if (!historyBudgetExceeded(bytes, numRetries)) return undefined;
  return (
    `num_retries ${numRetries} with ${bytes} bytes of payload, comment and headers could outgrow Temporal's ` +
    'workflow history limit; use fewer retries or a smaller payload, comment or header list'
  );
}
