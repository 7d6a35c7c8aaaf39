import { bundleWorkflowsInChildProcess } from './workflow-bundle';

describe('bundleWorkflowsInChildProcess', () => {
  it('returns the bundle of workflows/, built from the current sources by a child process', async () => {
    const code = await bundleWorkflowsInChildProcess();
    expect(code).toContain('scheduledEventWorkflow');
    // The SDK's bundle shape: Worker.create({ workflowBundle: { code } }) looks for this global.
    expect(code).toContain('__TEMPORAL__');
  }, 60_000);
});
