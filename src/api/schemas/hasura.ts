/**
 * Args of Hasura's scheduled-event commands (`{"type": "<command>", "args": {...}}` on /v1/metadata and /v1/query),
 * as Hasura's parsers read them: unknown keys are ignored, `null` counts as absent. Each schema is followed by the
 * type it parses to.
 */
import { z } from 'zod';
import { MAX_HISTORY_PAYLOAD_BYTES, projectedPayloadHistoryBytes } from '../../shared/event';
import { EventDefinitionFields, EventStatusSchema, NonNegativeIntSchema } from './common';

/** `type` of delete/get commands. Only `one_off` is served; `cron` is answered with 400 `not-supported`. */
export const ScheduledEventTypeSchema = z.enum(['one_off', 'cron']);
export type ScheduledEventType = z.output<typeof ScheduledEventTypeSchema>;

/** `create_scheduled_event`. */
export const CreateScheduledEventArgsSchema = z.object(EventDefinitionFields).superRefine((args, ctx) => {
  // Each attempt records the webhook body (with the payload) twice in history: as the activity's input and in the
  // logged request. Temporal terminates a workflow whose history passes 50 MB, so refuse what could get there.
  const payloadBytes = Buffer.byteLength(JSON.stringify(args.payload ?? null));
  if (projectedPayloadHistoryBytes(payloadBytes, args.retry_conf.num_retries) > MAX_HISTORY_PAYLOAD_BYTES) {
    ctx.addIssue({
      code: 'custom',
      path: ['retry_conf', 'num_retries'],
      message:
        `num_retries ${args.retry_conf.num_retries} with a ${payloadBytes}-byte payload could outgrow Temporal's ` +
        'workflow history limit; use fewer retries or a smaller payload',
    });
  }
});

export type CreateScheduledEventArgs = z.output<typeof CreateScheduledEventArgsSchema>;

/** `delete_scheduled_event`. */
export const DeleteScheduledEventArgsSchema = z.object({
  type: ScheduledEventTypeSchema,
  event_id: z.string().min(1),
});
export type DeleteScheduledEventArgs = z.output<typeof DeleteScheduledEventArgsSchema>;

/** `get_scheduled_events`: no default limit (every row, as in Hasura); no `status` means every status but `cancelled`. */
export const GetScheduledEventsArgsSchema = z.object({
  type: ScheduledEventTypeSchema,
  status: z
    .array(EventStatusSchema)
    .nullish()
    .transform((statuses) => statuses ?? []),
  limit: NonNegativeIntSchema.nullish().transform((n) => n ?? undefined),
  offset: NonNegativeIntSchema.nullish().transform((n) => n ?? undefined),
  get_rows_count: z
    .boolean()
    .nullish()
    .transform((flag) => flag ?? false),
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
  limit: NonNegativeIntSchema.nullish().transform((n) => n ?? undefined),
  offset: NonNegativeIntSchema.nullish().transform((n) => n ?? undefined),
  get_rows_count: z
    .boolean()
    .nullish()
    .transform((flag) => flag ?? false),
});
export type GetScheduledEventInvocationsArgs = z.output<typeof GetScheduledEventInvocationsArgsSchema>;
