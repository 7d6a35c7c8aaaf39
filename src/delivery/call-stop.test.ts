import { CallStop, callStopOn } from './call-stop';

describe('CallStop', () => {
  it('stops the call under way once, with the first reason, and none after it ended', () => {
    const stop = new CallStop();
    const seen: unknown[] = [];
    stop.whileCalling((reason) => seen.push(reason));
    stop.stop('first');
    stop.stop('second');
    expect(seen).toEqual(['first']);
    expect(stop.stopped).toEqual({ reason: 'first' });

    const later = new CallStop();
    later.whileCalling((reason) => seen.push(reason));
    later.whileCalling(undefined);
    later.stop('after the call');
    expect(seen).toEqual(['first']);
    expect(later.stopped).toEqual({ reason: 'after the call' });
  });
});

describe('callStopOn', () => {
  it("stops when the signal aborts, with the signal's reason", () => {
    const controller = new AbortController();
    const stop = callStopOn(controller.signal);
    expect(stop.stopped).toBeUndefined();
    controller.abort('shutdown');
    expect(stop.stopped).toEqual({ reason: 'shutdown' });
  });

  it('asks `stops` when the signal aborts, and stays running when it says no', () => {
    const controller = new AbortController();
    const asked: string[] = [];
    const stop = callStopOn(controller.signal, () => (asked.push('asked'), false));
    expect(asked).toEqual([]);
    controller.abort('cancel requested');
    expect(asked).toEqual(['asked']);
    expect(stop.stopped).toBeUndefined();
  });

  it('is stopped already for a signal that had aborted', () => {
    expect(callStopOn(AbortSignal.abort('gone')).stopped).toEqual({ reason: 'gone' });
  });

  it('follows the signal no more once disposed', () => {
    const controller = new AbortController();
    const stop = callStopOn(controller.signal);
    stop.dispose();
    controller.abort('late');
    expect(stop.stopped).toBeUndefined();
  });
});
