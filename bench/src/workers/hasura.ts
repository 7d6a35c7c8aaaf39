/**
 * EMULATION of Hasura's one-off scheduled-event processor (not Hasura itself, which needs Docker here): the
 * `processScheduledTriggers` loop locks every due row, delivers them all concurrently (`forConcurrently_`), writes an
 * invocation log and the new status per event, then sleeps 10 s before the next fetch.
 */
import { Pool } from 'pg';
import { postWebhook } from '../http';
import { HASURA_FETCH } from '../adapters/hasura-sql';
import { env, failures, noteFailure, onStop, ready } from './common';

const POLL_MS = Number(env('POLL_MS', '10000'));
const pool = new Pool({ connectionString: env('DATABASE_URL'), max: 20 });

interface Row {
  id: string;
  webhook_conf: string;
  scheduled_time: Date;
  payload: unknown;
  retry_conf: { num_retries: number; retry_interval_seconds: number; tolerance_seconds: number } | null;
  tries: number;
  created_at: Date;
}

async function processEvent(row: Row): Promise<void> {
  const retry = row.retry_conf ?? { num_retries: 0, retry_interval_seconds: 10, tolerance_seconds: 21600 };
  if ((Date.now() - row.scheduled_time.getTime()) / 1000 > retry.tolerance_seconds) {
    await pool.query(`UPDATE hdb_catalog.hdb_scheduled_events SET status = 'dead' WHERE id = $1`, [row.id]);
    return;
  }
  const body = {
    id: row.id,
    scheduled_time: row.scheduled_time.toISOString(),
    payload: row.payload,
    created_at: row.created_at.toISOString(),
  };
  let status: number | null = 200;
  let ok = true;
  try {
    // Hasura sends no Idempotency-Key.
    await postWebhook(row.webhook_conf, body, null);
  } catch (err) {
    noteFailure(err);
    ok = false;
    status = null;
  }
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(
      `INSERT INTO hdb_catalog.hdb_scheduled_event_invocation_logs (event_id, status, request, response)
       VALUES ($1, $2, $3, $4)`,
      [
        row.id,
        status,
        JSON.stringify({ payload: body, headers: [], version: '1' }),
        JSON.stringify({ type: ok ? 'webhook_response' : 'client_error', data: {}, version: '1' }),
      ],
    );
    if (ok) {
      await client.query(
        `UPDATE hdb_catalog.hdb_scheduled_events SET status = 'delivered', tries = tries + 1 WHERE id = $1`,
        [row.id],
      );
    } else if (row.tries >= retry.num_retries) {
      await client.query(
        `UPDATE hdb_catalog.hdb_scheduled_events SET status = 'error', tries = tries + 1 WHERE id = $1`,
        [row.id],
      );
    } else {
      await client.query(
        `UPDATE hdb_catalog.hdb_scheduled_events
         SET status = 'scheduled', tries = tries + 1, next_retry_at = now() + make_interval(secs => $2) WHERE id = $1`,
        [row.id, retry.retry_interval_seconds],
      );
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

let stopping = false;
let wake: (() => void) | null = null;

async function loop(): Promise<void> {
  while (!stopping) {
    try {
      const { rows } = await pool.query<Row>(HASURA_FETCH);
      await Promise.all(rows.map((r) => processEvent(r).catch(noteFailure)));
    } catch (err) {
      console.error('hasura emulation:', err);
    }
    if (stopping) break;
    await new Promise<void>((r) => {
      const t = setTimeout(r, POLL_MS);
      wake = () => {
        clearTimeout(t);
        r();
      };
    });
  }
}

const running = loop();
onStop(async () => {
  stopping = true;
  wake?.();
  await running;
  await pool.end();
  if (failures.count) console.error(`hasura emulation: ${failures.count} failures, last: ${failures.last}`);
});
ready();
