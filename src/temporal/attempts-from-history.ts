import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import type { AttemptRecord, DeliverWebhookResult } from '../shared/event';

type History = temporal.api.history.v1.IHistory;

/** The activity type whose results are the invocation log. */
const DELIVER_ACTIVITY = 'deliverWebhook';

/**
 * Reads every webhook attempt from an event's workflow history: each attempt is one completed `deliverWebhook`
 * activity whose result holds the request and response (SPEC §1: history is the record, no second database).
 * Oldest first.
 */
export function attemptsFromHistory(history: History): AttemptRecord[] {
  const deliverScheduled = new Set<string>();
  const attempts: AttemptRecord[] = [];
  for (const event of history.events ?? []) {
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled?.activityType?.name === DELIVER_ACTIVITY) deliverScheduled.add(String(event.eventId));
    const completed = event.activityTaskCompletedEventAttributes;
    const payload = completed?.result?.payloads?.[0];
    if (!completed || !payload || !deliverScheduled.has(String(completed.scheduledEventId))) continue;
    const result = defaultPayloadConverter.fromPayload<DeliverWebhookResult>(payload);
    if (result.kind === 'attempted') attempts.push(result.record);
  }
  return attempts;
}
