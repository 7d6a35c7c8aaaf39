import type { Client } from '@temporalio/client';
import type { AttemptRef, CallClearance } from '../shared/event';
import { queuedCallClearance, queuedHeartbeatForCall } from './call-clearance';

describe('queuedCallClearance', () => {
  const client = {} as Client;
  const ref = (n: number): AttemptRef => ({ workflowId: `e${n}`, runId: 'r', activityId: '1', activityAttempt: 1 });

  test('at most N questions at the server at once; the rest are asked in the order they came, none lost', async () => {
    let atServer = 0;
    let most = 0;
    const asked: string[] = [];
    const answers: (() => void)[] = [];
    const ask = (_client: Client, attempt: AttemptRef): Promise<CallClearance> => {
      asked.push(attempt.workflowId);
      atServer += 1;
      most = Math.max(most, atServer);
      return new Promise((resolve) =>
        answers.push(() => {
          atServer -= 1;
          resolve(attempt.workflowId === 'e3' ? 'cancelled' : 'call');
        }),
      );
    };
    const clearance = queuedCallClearance(2, ask);
    const results = Array.from({ length: 6 }, (_, n) => clearance(client, ref(n)));
    await Promise.resolve();
    expect(asked).toEqual(['e0', 'e1']);
    while (answers.length > 0) {
      answers.shift()!();
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await Promise.all(results)).toEqual(['call', 'call', 'call', 'cancelled', 'call', 'call']);
    expect(asked).toEqual(['e0', 'e1', 'e2', 'e3', 'e4', 'e5']);
    expect(most).toBe(2);
  });

  test('a question that fails frees its place for the next', async () => {
    let calls = 0;
    const ask = async (): Promise<CallClearance> => {
      calls += 1;
      if (calls === 1) throw new Error('server unavailable');
      return 'call';
    };
    const clearance = queuedCallClearance(1, ask);
    const [first, second] = [clearance(client, ref(0)), clearance(client, ref(1))];
    await expect(first).rejects.toThrow('server unavailable');
    await expect(second).resolves.toBe('call');
  });

  test('a question whose attempt stops holding leaves the line unasked, and the line moves on', async () => {
    const asked: string[] = [];
    let answer: (() => void) | undefined;
    const ask = (_client: Client, attempt: AttemptRef): Promise<CallClearance> => {
      asked.push(attempt.workflowId);
      return new Promise((resolve) => (answer = () => resolve('call')));
    };
    const clearance = queuedCallClearance(1, ask);
    const first = clearance(client, ref(0));
    const stop = new AbortController();
    const second = clearance(client, ref(1), stop.signal);
    const third = clearance(client, ref(2));
    stop.abort(new Error('cancelled while waiting'));
    await expect(second).rejects.toThrow('cancelled while waiting');
    answer!();
    await expect(first).resolves.toBe('call');
    await new Promise((resolve) => setImmediate(resolve));
    answer!();
    await expect(third).resolves.toBe('call');
    expect(asked).toEqual(['e0', 'e2']);
  });
});

describe('queuedHeartbeatForCall', () => {
  test('at most N heartbeats at the server at once, in the order they came', async () => {
    let atServer = 0;
    let most = 0;
    const sent: number[] = [];
    const answers: (() => void)[] = [];
    const record = (_client: Client, taskToken: Uint8Array): Promise<CallClearance> => {
      sent.push(taskToken[0]!);
      atServer += 1;
      most = Math.max(most, atServer);
      return new Promise((resolve) =>
        answers.push(() => {
          atServer -= 1;
          resolve('call');
        }),
      );
    };
    const heartbeat = queuedHeartbeatForCall(2, record);
    const results = Array.from({ length: 5 }, (_, n) => heartbeat({} as Client, Uint8Array.of(n), {}));
    await Promise.resolve();
    expect(sent).toEqual([0, 1]);
    while (answers.length > 0) {
      answers.shift()!();
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await Promise.all(results)).toEqual(['call', 'call', 'call', 'call', 'call']);
    expect(sent).toEqual([0, 1, 2, 3, 4]);
    expect(most).toBe(2);
  });
});
