/**
 * The `cursor` of `GET /v1/events`: an opaque token for "after this event" in the listing's order
 * (scheduled_time, then id).
 *
 * It holds the position of the last event served (`ListEventsQuery.after`), not an offset: an offset shifts when an
 * event before it is created, cancelled or changes status between two pages, so the next page would repeat or skip
 * events; a position does not move. The token is base64url JSON, so it fits a query string unescaped. Clients must
 * treat it as opaque: its content may change between versions.
 */
import { parseTimestamp } from './schemas/timestamp';

/** A position in the listing's order. */
export interface CursorPosition {
  scheduledTime: string;
  id: string;
}

/** Longest cursor accepted: room for a long caller-chosen id, and a bound on the work decoding does. */
export const MAX_CURSOR_LENGTH = 4096;

/** The base64url alphabet, without padding (`Buffer#toString('base64url')` writes none). */
export const CURSOR_PATTERN = /^[A-Za-z0-9_-]+$/;

export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify({ scheduledTime: position.scheduledTime, id: position.id }), 'utf8').toString(
    'base64url',
  );
}

/** The position a cursor stands for, with its time normalized; undefined when it is not one of ours. */
export function decodeCursor(cursor: string): CursorPosition | undefined {
  // Buffer skips characters outside the alphabet instead of failing, so check them first.
  if (cursor.length > MAX_CURSOR_LENGTH || !CURSOR_PATTERN.test(cursor)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { scheduledTime, id } = value as Record<string, unknown>;
  if (typeof scheduledTime !== 'string' || typeof id !== 'string' || id === '') return undefined;
  // The time goes into a visibility query (src/temporal): only a real timestamp may pass.
  const time = parseTimestamp(scheduledTime);
  return time.ok ? { scheduledTime: time.date.toISOString(), id } : undefined;
}
