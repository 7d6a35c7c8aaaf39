/**
 * The EventScheduler contract against the real Temporal scheduler. Its worker only runs workflow tasks (edits are
 * Updates, answered by the workflow): every event is due decades ahead, so no webhook is called.
 */
import { schedulerContract } from './doubles/scheduler-contract';
import { startStack } from './helpers/stack';

schedulerContract('the Temporal scheduler', async () => {
  const stack = await startStack();
  return { scheduler: stack.scheduler, close: () => stack.stop() };
});
