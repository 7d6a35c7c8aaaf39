import { PREPARE_AHEAD_MS } from '../shared/event';
import { MAX_PREPARE_AHEAD_MS, PREPARE_LEAD_PER_EVENT_DUE_TOGETHER_MS, PrepareLead } from './prepare-lead';

describe('PrepareLead', () => {
  const now = Date.parse('2026-12-05T10:00:00Z');
  const due = now + 3600_000;

  test('a lone event is prepared PREPARE_AHEAD_MS ahead', () => {
    expect(new PrepareLead().next(due, now)).toBe(PREPARE_AHEAD_MS);
  });

  test('each event due in the same second as earlier ones is prepared a step earlier, up to the cap', () => {
    const lead = new PrepareLead();
    const leads = Array.from({ length: 5 }, (_, n) => lead.next(due + (n % 2) * 999, now));
    expect(leads).toEqual([0, 1, 2, 3, 4].map((n) => PREPARE_AHEAD_MS + n * PREPARE_LEAD_PER_EVENT_DUE_TOGETHER_MS));
    // Another second is another burst.
    expect(lead.next(due + 1000, now)).toBe(PREPARE_AHEAD_MS);
    for (let n = 0; n < 100_000; n++) lead.next(due, now);
    expect(lead.next(due, now)).toBe(MAX_PREPARE_AHEAD_MS);
  });

  test('memory is bounded: past seconds are forgotten when full, and new seconds get the plain lead meanwhile', () => {
    const lead = new PrepareLead();
    for (let n = 0; n < 100_000; n++) lead.next(now + 1000 + n * 1000, now);
    // Full of seconds still to come: a new second is not tracked, its events all get the plain lead.
    const beyond = now + 200_000_000;
    expect([lead.next(beyond, now), lead.next(beyond, now)]).toEqual([PREPARE_AHEAD_MS, PREPARE_AHEAD_MS]);
    // Later, the seconds now past are forgotten and the new second is tracked again.
    const later = now + 50_000_000;
    expect([lead.next(beyond, later), lead.next(beyond, later)]).toEqual([
      PREPARE_AHEAD_MS,
      PREPARE_AHEAD_MS + PREPARE_LEAD_PER_EVENT_DUE_TOGETHER_MS,
    ]);
  });
});
