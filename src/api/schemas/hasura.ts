/**
 * Args of Hasura's scheduled-event commands (`{"type": "<command>", "args": {...}}` on /v1/metadata and /v1/query),
 * as Hasura's parsers read them: unknown keys are ignored, `null` counts as absent. Each schema is followed by the
 * type it parses to.
 */
import { z } from 'zod';
import { historyBudgetProblem } from '../../events/history-budget';
import { budgetedRetries } from '../../shared/event';
import { EventDefinitionFields, EventStatusSchema, NonNegativeIntSchema } from './common';

/** `type` of delete/get commands. Only `one_off` is served; `cron` is answered with 400 `not-supported`. */
export const ScheduledEventTypeSchema = z.enum(['one_off', 'cron']);
export type ScheduledEventType = z.output<typeof ScheduledEventTypeSchema>;

/** `create_scheduled_event`. */
export const CreateScheduledEventArgsSchema = z.object(EventDefinitionFields).superRefine((args, ctx) => {
  const problem = historyBudgetProblem(args, budgetedRetries(args.retry_conf.num_retries, args.failure_webhook));
  if (problem !== undefined) ctx.addIssue({ code: 'custom', path: ['retry_conf', 'num_retries'], message: problem });
});

export type CreateScheduledEventArgs = z.output<typeof CreateScheduledEventArgsSchema>;

/** `delete_scheduled_event`. */
export const DeleteScheduledEventArgsSchema = z.object({
  type: ScheduledEventTypeSchema,
  event_id: z.string().min(1),
});
export type DeleteScheduledEventArgs = z.output<typeof DeleteScheduledEventArgsSchema>;

/** `limit`, `offset` (absent: all rows, as in Hasura) and `get_rows_count`, shared by both listing commands. */
const PaginationFields = {
  limit: NonNegativeIntSchema.nullish().transform((n) => n ?? undefined),
  offset: NonNegativeIntSchema.nullish().transform((n) => n ?? undefined),
  get_rows_count: z
    .boolean()
    .nullish()
    .transform((flag) => flag ?? false),
};

/** `get_scheduled_events`: no default limit (every row, as in Hasura); no `status` means every status but `cancelled`. */
export const GetScheduledEventsArgsSchema = z.object({
  type: ScheduledEventTypeSchema,
  status: z
    .array(EventStatusSchema)
    .nullish()
    .transform((statuses) => statuses ?? []),
  ...PaginationFields,
});
export type GetScheduledEventsArgs = z.output<typeof GetScheduledEventsArgsSchema>;

/** `get_scheduled_event_invocations`: without `event_id`, every event's invocations. */
export const GetScheduledEventInvocationsArgsSchema = z.object({
  type: ScheduledEventTypeSchema,
  event_id: z
    .string()
    .min(1)
    .nullish()
    .transform((id) => id ?? undefined),
  ...PaginationFields,
});
export type GetScheduledEventInvocationsArgs = z.output<typeof GetScheduledEventInvocationsArgsSchema>;
