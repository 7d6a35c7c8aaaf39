/**
 * The `{"type", "args"}` envelopes of `POST /v1/metadata` and `POST /v1/query`, as zod schemas for the document.
 * The route reads envelopes by hand (../hasura-commands.ts, for Hasura's exact error paths and messages) and each
 * command's args with the schemas of ../schemas/hasura.ts; these envelopes are assembled from those same args schemas
 * and command lists, so the document follows any change to them.
 */
import { z } from 'zod';
import { MAX_BULK_ITEMS, METADATA_COMMANDS, QUERY_COMMANDS } from '../hasura-commands';
import {
  CreateScheduledEventArgsSchema,
  DeleteScheduledEventArgsSchema,
  GetScheduledEventInvocationsArgsSchema,
  GetScheduledEventsArgsSchema,
} from '../schemas/hasura';

type Command = (typeof METADATA_COMMANDS)[number];
type SingleCommand = Exclude<Command, 'bulk'>;

/** The args schema of every command but `bulk` (whose args are commands). */
const COMMAND_ARGS = {
  create_scheduled_event: CreateScheduledEventArgsSchema,
  delete_scheduled_event: DeleteScheduledEventArgsSchema,
  get_scheduled_events: GetScheduledEventsArgsSchema,
  get_scheduled_event_invocations: GetScheduledEventInvocationsArgsSchema,
} satisfies Record<SingleCommand, z.ZodType>;

/** What each command does, for the document. */
const COMMAND_DESCRIPTIONS: Record<Command, string> = {
  create_scheduled_event: 'Schedules one event; answers `{"message": "success", "event_id": "…"}`',
  delete_scheduled_event:
    'Cancels a pending event, or deletes a finished one with its history; an unknown id is a success, as in Hasura',
  get_scheduled_events:
    'Lists events by `scheduled_time`; without `status`, every status but `cancelled`; `count` with `get_rows_count`',
  get_scheduled_event_invocations: 'Lists webhook attempts, newest first; `count` with `get_rows_count`',
  bulk: `Runs up to ${MAX_BULK_ITEMS} commands in order, stopping at the first failure; answers an array of results`,
};

function commandSchema(type: SingleCommand) {
  return z
    .object({ type: z.literal(type), args: COMMAND_ARGS[type] })
    .meta({ title: type, description: COMMAND_DESCRIPTIONS[type] });
}

/** The envelope for an endpoint's command list; `bulk` takes that endpoint's other commands (never another bulk). */
function envelopeFor(commands: readonly Command[]) {
  const singles = commands.filter((c): c is SingleCommand => c !== 'bulk').map(commandSchema);
  const [first, ...rest] = singles;
  if (first === undefined) throw new Error('an endpoint without commands cannot be described');
  const single = z.discriminatedUnion('type', [first, ...rest]);
  const variants = commands.includes('bulk')
    ? [
        ...singles,
        z
          .object({ type: z.literal('bulk'), args: z.array(single).max(MAX_BULK_ITEMS) })
          .meta({ title: 'bulk', description: COMMAND_DESCRIPTIONS.bulk }),
      ]
    : singles;
  const [head, ...tail] = variants;
  if (head === undefined) throw new Error('an endpoint without commands cannot be described');
  return z.discriminatedUnion('type', [head, ...tail]);
}

/** Body of `POST /v1/metadata`. */
export const MetadataEnvelopeSchema = envelopeFor(METADATA_COMMANDS);
/** Body of `POST /v1/query` (Hasura's deprecated endpoint: create and bulk only). */
export const QueryEnvelopeSchema = envelopeFor(QUERY_COMMANDS);
