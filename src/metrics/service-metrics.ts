/**
 * The service's own Prometheus metrics (docs/operations.md "Metrics"), on prom-client: what a scheduler's users want
 * on a dashboard, lateness first. One instance per process, shared by the API and the worker when they run together
 * (`npm start`); each serves its registry at `/metrics` (the API's route, the worker's WORKER_METRICS_PORT).
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { EventStatus } from '../shared/event';

/** How an attempt ended, for `scheduled_events_attempts_total`. */
type AttemptOutcome = 'delivered' | 'failed' | 'no_response' | 'refused';
/** Why an attempt made no call, for `scheduled_events_attempts_skipped_total`. */
type SkipReason = 'cancelled' | 'past_tolerance';

interface AttemptObservation {
  outcome: AttemptOutcome;
  /** The HTTP status, or null when no response came. */
  status: number | null;
  /** Call start − due instant, in seconds (how late the scheduler was). */
  latenessSeconds: number;
  durationSeconds: number;
  /** An attempt of the failure webhook, not of the event's own webhook. */
  failureCallback: boolean;
}

/**
 * Lateness buckets, in seconds: single events start within a few ms of their instant and bursts of 1,000 within a
 * few hundred ms (bench/PERFORMANCE.md), so the resolution is finest there.
 */
const LATENESS_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
/** Attempt durations, in seconds, up to the longest timeout (600 s). */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

function statusClass(status: number | null): string {
  return status === null ? 'none' : `${Math.floor(status / 100)}xx`;
}

export class ServiceMetrics {
  private readonly registry: Registry;
  private readonly attempts: Counter<'outcome' | 'status_class' | 'kind'>;
  private readonly skipped: Counter<'reason'>;
  private readonly lateness: Histogram<'kind'>;
  private readonly duration: Histogram<'kind'>;
  private readonly created: Counter;
  private readonly cancelled: Counter;
  private readonly ended: Counter<'status'>;
  private readonly budgetRefusals: Counter;

  /** How many attempts hold on this process's worker right now; set by the worker (countHolding). */
  private holding: () => number = () => 0;

  /** @param options.processMetrics add prom-client's process metrics (CPU, memory, event loop). (Default: true) */
  constructor(options: { processMetrics?: boolean } = {}) {
    const registry = new Registry();
    this.registry = registry;
    const registers = [registry];
    this.attempts = new Counter({
      name: 'scheduled_events_attempts_total',
      help: 'Webhook attempts made, by outcome, HTTP status class (none: no response) and kind (event, failure_webhook)',
      labelNames: ['outcome', 'status_class', 'kind'],
      registers,
    });
    this.skipped = new Counter({
      name: 'scheduled_events_attempts_skipped_total',
      help: 'Attempts that made no call: the event was cancelled or ended first, or it was past its tolerance',
      labelNames: ['reason'],
      registers,
    });
    this.lateness = new Histogram({
      name: 'scheduled_events_call_lateness_seconds',
      help: "How late each call started after its due instant (schedule_at, or the retry's time)",
      labelNames: ['kind'],
      buckets: LATENESS_BUCKETS,
      registers,
    });
    this.duration = new Histogram({
      name: 'scheduled_events_attempt_duration_seconds',
      help: 'How long each call took, to its response or its error',
      labelNames: ['kind'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.created = new Counter({ name: 'scheduled_events_created_total', help: 'Events created', registers });
    this.cancelled = new Counter({
      name: 'scheduled_events_cancelled_total',
      help: 'Events cancelled through the API (answered 200 cancelled)',
      registers,
    });
    this.ended = new Counter({
      name: 'scheduled_events_finished_total',
      help: 'Events that ended, by final status (delivered, error, dead, cancelled), counted by the worker that ended them',
      labelNames: ['status'],
      registers,
    });
    this.budgetRefusals = new Counter({
      name: 'scheduled_events_history_budget_refusals_total',
      help: "Edits refused because payload size x attempts would outgrow the event's workflow history",
      registers,
    });
    const read = () => this.holding();
    new Gauge({
      name: 'scheduled_events_attempts_holding',
      help: 'Attempts prepared and holding for their instant on this process (0 without a worker)',
      registers,
      collect() {
        this.set(read());
      },
    });
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  }

  /** Where the holding gauge reads from: the worker's registry of held attempts. */
  countHolding(source: () => number): void {
    this.holding = source;
  }

  attempt(observation: AttemptObservation): void {
    const kind = observation.failureCallback ? 'failure_webhook' : 'event';
    this.attempts.inc({ outcome: observation.outcome, status_class: statusClass(observation.status), kind });
    this.lateness.observe({ kind }, Math.max(0, observation.latenessSeconds));
    this.duration.observe({ kind }, observation.durationSeconds);
  }

  attemptSkipped(reason: SkipReason): void {
    this.skipped.inc({ reason });
  }

  eventsCreated(count = 1): void {
    if (count > 0) this.created.inc(count);
  }

  eventCancelled(): void {
    this.cancelled.inc();
  }

  eventEnded(status: EventStatus): void {
    this.ended.inc({ status });
  }

  historyBudgetRefused(): void {
    this.budgetRefusals.inc();
  }

  /** The Prometheus text exposition, and its content type. */
  async exposition(): Promise<{ text: string; contentType: string }> {
    return { text: await this.registry.metrics(), contentType: this.registry.contentType };
  }
}
