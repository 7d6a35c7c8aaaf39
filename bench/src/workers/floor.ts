/**
 * The floor: an in-memory `setTimeout` per event and one HTTP POST when it fires. No durability, no store: the lateness
 * it shows is what a single Node process and the receiver cost, the limit no durable scheduler can beat here.
 */
import type { WebhookBody } from '../http';
import { postWebhook } from '../http';
import { env, failures, noteFailure, onStop, ready } from './common';

const url = env('WEBHOOK_URL');
const timers = new Set<NodeJS.Timeout>();

function fire(body: WebhookBody): void {
  postWebhook(url, body, body.id).catch(noteFailure);
}

process.on('message', (msg: { type?: string; seq?: number; events?: { dueAt: number; body: WebhookBody }[] }) => {
  if (msg.type !== 'schedule' || !msg.events) return;
  for (const { dueAt, body } of msg.events) {
    const t = setTimeout(
      () => {
        timers.delete(t);
        fire(body);
      },
      Math.max(0, dueAt - Date.now()),
    );
    timers.add(t);
  }
  process.send?.({ type: 'ack', seq: msg.seq });
});

onStop(async () => {
  for (const t of timers) clearTimeout(t);
  if (failures.count) console.error(`floor: ${failures.count} webhook failures, last: ${failures.last}`);
});
ready();
