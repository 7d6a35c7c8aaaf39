import {
  CLEARANCE_LEAD_PER_ATTEMPT_MS,
  MAX_BURST_CLEARANCE_LEAD_MS,
  MAX_CLEARANCE_LEAD_MS,
  PREPARE_AHEAD_MS,
} from '../shared/event';
import { MAX_PREPARE_AHEAD_MS, PREPARE_LEAD_PER_EVENT_DUE_TOGETHER_MS as STEP, PrepareLead } from './prepare-lead';

describe('PrepareLead', () => {
  const now = Date.parse('2026-12-05T10:00:00Z');
  const due = now + 3600_000;
  const leadOf = (lead: PrepareLead, dueMs: number, nowMs = now) => lead.take(dueMs, nowMs).leadMs;

  test('a lone event is prepared PREPARE_AHEAD_MS ahead', () => {
    expect(leadOf(new PrepareLead(), due)).toBe(PREPARE_AHEAD_MS);
  });

  test('each event due in the same second as earlier ones is prepared a step earlier, up to the cap', () => {
    const lead = new PrepareLead();
    const leads = Array.from({ length: 5 }, (_, n) => leadOf(lead, due + (n % 2) * 999));
    expect(leads).toEqual([0, 1, 2, 3, 4].map((n) => PREPARE_AHEAD_MS + n * STEP));
    // Another second is another burst.
    expect(leadOf(lead, due + 1000)).toBe(PREPARE_AHEAD_MS);
    for (let n = 0; n < 100_000; n++) leadOf(lead, due);
    expect(leadOf(lead, due)).toBe(MAX_PREPARE_AHEAD_MS);
  });

  test("events after the first due in a second may be cleared earlier, spread at the server's answer rate", () => {
    const lead = new PrepareLead();
    const taken = Array.from({ length: 3 }, () => lead.take(due, now).maxClearanceLeadMs);
    // The first (and every lone event) records none: MAX_CLEARANCE_LEAD_MS, as before bursts had their own.
    expect(taken).toEqual([
      undefined,
      MAX_CLEARANCE_LEAD_MS + CLEARANCE_LEAD_PER_ATTEMPT_MS,
      MAX_CLEARANCE_LEAD_MS + 2 * CLEARANCE_LEAD_PER_ATTEMPT_MS,
    ]);
    for (let n = 0; n < 20_000; n++) lead.take(due, now);
    expect(lead.take(due, now).maxClearanceLeadMs).toBe(MAX_BURST_CLEARANCE_LEAD_MS);
    expect(lead.take(due + 1000, now).maxClearanceLeadMs).toBeUndefined();
  });

  test('a create that does not start an event gives its count back, once', () => {
    const lead = new PrepareLead();
    leadOf(lead, due);
    const repeat = lead.take(due, now);
    expect(repeat.leadMs).toBe(PREPARE_AHEAD_MS + STEP);
    repeat.release();
    repeat.release();
    expect(leadOf(lead, due)).toBe(PREPARE_AHEAD_MS + STEP);
  });

  test('it never fills: seconds fed at random leave later bursts spread as before', () => {
    const lead = new PrepareLead();
    for (let n = 0; n < 300_000; n++) leadOf(lead, now + 1000 + n * 7919_000);
    const burst = now + 90_000_000_123;
    const before = leadOf(lead, burst);
    expect(before).toBeLessThanOrEqual(PREPARE_AHEAD_MS + 3 * STEP);
    expect(leadOf(lead, burst)).toBe(before + STEP);
  });

  test('a slot whose second has passed is taken over by a new second, with a fresh count', () => {
    const lead = new PrepareLead();
    const slotSpan = 2 ** 17 * 1000;
    for (let n = 0; n < 10; n++) leadOf(lead, now + 5000);
    // The same slot, one table span later, once the first second has passed.
    expect(leadOf(lead, now + 5000 + slotSpan, now + 10_000)).toBe(PREPARE_AHEAD_MS);
    // Two seconds still to come in one slot share its count: prepared a little earlier, never later, and not
    // cleared any earlier for the other second's events.
    expect(leadOf(lead, now + 5000 + 2 * slotSpan, now + 10_000)).toBe(PREPARE_AHEAD_MS + STEP);
    expect(lead.take(now + 5000 + 2 * slotSpan, now + 10_000).maxClearanceLeadMs).toBeUndefined();
    expect(lead.take(now + 5000 + slotSpan, now + 10_000).maxClearanceLeadMs).toBeUndefined();
  });
});
