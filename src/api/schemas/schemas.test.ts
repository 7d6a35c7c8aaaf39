import { z } from 'zod';
import { CreateScheduledEventArgsSchema, GetScheduledEventsArgsSchema, HeaderConfSchema, RetryConfSchema } from '.';

describe('schemas', () => {
  it('fill in retry_conf defaults field by field', () => {
    expect(RetryConfSchema.parse(undefined)).toEqual({
      num_retries: 0,
      retry_interval_seconds: 10,
      timeout_seconds: 60,
      tolerance_seconds: 21600,
    });
    expect(RetryConfSchema.parse({ timeout_seconds: 5 })).toEqual({
      num_retries: 0,
      retry_interval_seconds: 10,
      timeout_seconds: 5,
      tolerance_seconds: 21600,
    });
  });

  it('read a header as one of its two forms, dropping other keys', () => {
    expect(HeaderConfSchema.parse({ name: 'A', value: '', extra: 1 })).toEqual({ name: 'A', value: '' });
    expect(HeaderConfSchema.parse({ name: 'A', value_from_env: 'X' })).toEqual({ name: 'A', value_from_env: 'X' });
  });

  it('ignore unknown keys', () => {
    const parsed = CreateScheduledEventArgsSchema.parse({
      webhook: 'https://example.com',
      schedule_at: '2024-01-01T00:00:00Z',
      whatever: 1,
    });
    expect(parsed).not.toHaveProperty('whatever');
  });

  it('default get_scheduled_events to every status (empty filter), no paging, no count', () => {
    expect(GetScheduledEventsArgsSchema.parse({ type: 'one_off' })).toEqual({
      type: 'one_off',
      status: [],
      limit: undefined,
      offset: undefined,
      get_rows_count: false,
    });
  });

  it('can be described as JSON Schema (input side), for the OpenAPI document', () => {
    const schema = z.toJSONSchema(CreateScheduledEventArgsSchema, { io: 'input' });
    expect(schema).toMatchObject({
      type: 'object',
      required: ['webhook', 'schedule_at'],
      properties: { schedule_at: { type: 'string', format: 'date-time' } },
    });
  });
});
