import { eventPriority, SOON_DUE_PRIORITY_KEY, SOON_DUE_WITHIN_MS } from './event-priority';

describe('eventPriority', () => {
  const now = Date.parse('2026-12-01T09:00:00Z');

  it('puts events due soon first, including those already due', () => {
    for (const dueInMs of [-60_000, 0, 10_000, SOON_DUE_WITHIN_MS]) {
      expect(eventPriority(now + dueInMs, now)).toEqual({ priorityKey: SOON_DUE_PRIORITY_KEY });
    }
  });

  it('leaves later events at the server default', () => {
    expect(eventPriority(now + SOON_DUE_WITHIN_MS + 1, now)).toBeUndefined();
    expect(eventPriority(now + 6 * 3600_000, now)).toBeUndefined();
  });
});
