import { FakeEventScheduler } from './fake-scheduler';
import { schedulerContract } from './scheduler-contract';

schedulerContract('the fake', async () => ({ scheduler: new FakeEventScheduler() }));
