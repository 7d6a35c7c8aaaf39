import { budgetedRetries, FAILURE_WEBHOOK_ATTEMPTS } from './event';

describe('budgetedRetries', () => {
  test("an event's failure webhook attempts count on top of its own retries, for every caller of the budget", () => {
    expect(budgetedRetries(3, undefined)).toBe(3);
    expect(budgetedRetries(3, 'https://example.com/failed')).toBe(3 + FAILURE_WEBHOOK_ATTEMPTS);
  });
});
