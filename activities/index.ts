/**
 * The worker's activities. `createActivities(deps)` binds them to injected dependencies (env, User-Agent, fetch,
 * clock), as in samples-typescript's activities-dependency-injection; workflows see only
 * `ReturnType<typeof createActivities>`, as a type.
 */
import type { DeliverWebhookInput, DeliverWebhookResult } from '../src/shared/event';
import { type ActivityDeps, deliverWebhook } from './deliver-webhook';

export { CLEARED_TOO_LATE_FAILURE_TYPE, INVALID_INPUT_FAILURE_TYPE, type ActivityDeps } from './deliver-webhook';
export { BurstWarmUp } from './burst-warm-up';
export { CallsInFlight } from './calls-in-flight';
export { HeldAttempts } from './held-attempts';

/**
 * The activities to register on the worker: `Worker.create({ activities: createActivities(deps), ... })`.
 * The object keys are the activity type names.
 */
export function createActivities(deps: ActivityDeps) {
  return {
    /** One webhook attempt; see `deliverWebhook` in ./deliver-webhook. */
    async deliverWebhook(input: DeliverWebhookInput): Promise<DeliverWebhookResult> {
      return deliverWebhook(input, deps);
    },
  };
}
