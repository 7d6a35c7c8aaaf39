import { deserializeError, serializeError } from './webhook-thread-protocol';
import { describeFetchError } from './send-webhook';

describe('serializeError', () => {
  it('keeps what describeFetchError reads, through causes and inner errors', () => {
    const inner = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    const outer = new TypeError('fetch failed', { cause: Object.assign(new AggregateError([inner, inner], ''), {}) });
    const crossed = deserializeError(serializeError(outer));
    expect(describeFetchError(crossed)).toBe(describeFetchError(outer));
    expect(serializeError(inner).code).toBe('ECONNREFUSED');
  });

  it('never throws, whatever the error is made of', () => {
    const hostile = {
      get message(): string {
        throw new Error('no');
      },
      name: 'Hostile',
    };
    const cyclic: { message: string; cause?: unknown } = { message: 'loop' };
    cyclic.cause = cyclic;
    expect(serializeError(hostile)).toEqual({ name: 'Hostile', message: '' });
    expect(serializeError(cyclic).message).toBe('loop');
    expect(serializeError('plain')).toEqual({ name: 'Error', message: 'plain' });
    expect(serializeError({ message: 'x'.repeat(10_000) }).message.length).toBe(4096);
  });
});
