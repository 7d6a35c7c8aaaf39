import {
  clearanceLeadMs,
  clearanceLimitMs,
  MAX_BURST_CLEARANCE_LEAD_MS,
  MAX_CLEARANCE_LEAD_MS,
} from '../src/shared/event';
import { HeldAttempts } from './held-attempts';

describe('HeldAttempts', () => {
  it('counts the attempts held for about the same instant, and forgets released or cancelled ones', () => {
    const held = new HeldAttempts();
    const releases = Array.from({ length: 5 }, (_, i) => held.hold(`a${i}`, 10_000 + i * 100).release);
    held.hold('far', 60_000);
    expect(held.dueNear(10_000, 1000)).toBe(5);
    expect(held.dueNear(60_000, 1000)).toBe(1);
    releases[0]!();
    held.cancel('a1');
    expect(held.dueNear(10_000, 1000)).toBe(3);
  });
});

describe('clearanceLeadMs', () => {
  it('asks 100 ms ahead alone, earlier with others due together, never more than the cap', () => {
    expect(clearanceLeadMs(1)).toBe(100);
    expect(clearanceLeadMs(101)).toBe(300);
    expect(clearanceLeadMs(1_000_000)).toBe(MAX_CLEARANCE_LEAD_MS);
  });
});

describe('clearanceLimitMs', () => {
  it("is MAX_CLEARANCE_LEAD_MS unless the event recorded more, never more than a burst's cap, whatever it recorded", () => {
    expect(clearanceLimitMs(undefined)).toBe(MAX_CLEARANCE_LEAD_MS);
    expect(clearanceLimitMs(7000)).toBe(7000);
    expect(clearanceLimitMs(5)).toBe(MAX_CLEARANCE_LEAD_MS);
    expect(clearanceLimitMs(10 ** 9)).toBe(MAX_BURST_CLEARANCE_LEAD_MS);
    expect(clearanceLimitMs(Number.NaN)).toBe(MAX_CLEARANCE_LEAD_MS);
    // The limit caps the lead a worker's count asks for.
    expect(clearanceLeadMs(1_000_000, clearanceLimitMs(7000))).toBe(7000);
    expect(clearanceLeadMs(11, clearanceLimitMs(7000))).toBe(120);
  });
});
