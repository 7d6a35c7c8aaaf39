/**
 * The slice of Hasura's metadata schema that one-off scheduled events use (hdb_catalog.hdb_scheduled_events and its
 * invocation logs, as in Hasura v2), and its create and fetch statements (`insertOneOffScheduledEventTx`,
 * `getScheduledEventsForDeliveryTx`).
 */
export const HASURA_DDL = `
CREATE SCHEMA IF NOT EXISTS hdb_catalog;
CREATE TABLE hdb_catalog.hdb_scheduled_events (
  id text DEFAULT gen_random_uuid() PRIMARY KEY,
  webhook_conf json NOT NULL,
  scheduled_time timestamptz NOT NULL,
  retry_conf json,
  payload json,
  header_conf json,
  status text NOT NULL DEFAULT 'scheduled',
  tries integer NOT NULL DEFAULT 0,
  created_at timestamptz DEFAULT now(),
  next_retry_at timestamptz,
  comment text,
  CONSTRAINT valid_status CHECK (status IN ('scheduled','locked','delivered','error','dead'))
);
CREATE INDEX hdb_scheduled_event_status ON hdb_catalog.hdb_scheduled_events (status);
CREATE TABLE hdb_catalog.hdb_scheduled_event_invocation_logs (
  id text DEFAULT gen_random_uuid() PRIMARY KEY,
  event_id text,
  status integer,
  request json,
  response json,
  created_at timestamptz DEFAULT now(),
  FOREIGN KEY (event_id) REFERENCES hdb_catalog.hdb_scheduled_events (id) ON DELETE CASCADE ON UPDATE CASCADE
);
`;

export const HASURA_INSERT = `
INSERT INTO hdb_catalog.hdb_scheduled_events (webhook_conf, scheduled_time, payload, retry_conf, header_conf, comment)
VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`;

/** Lock and return every due event: no LIMIT, as in Hasura. */
export const HASURA_FETCH = `
UPDATE hdb_catalog.hdb_scheduled_events SET status = 'locked'
WHERE id IN (
  SELECT t.id FROM hdb_catalog.hdb_scheduled_events t
  WHERE t.status = 'scheduled'
    AND ((t.next_retry_at IS NULL AND t.scheduled_time <= now())
      OR (t.next_retry_at IS NOT NULL AND t.next_retry_at <= now()))
  FOR UPDATE SKIP LOCKED)
RETURNING *`;

export const DEFAULT_RETRY_CONF = {
  num_retries: 0,
  retry_interval_seconds: 10,
  timeout_seconds: 60,
  tolerance_seconds: 21600,
};
