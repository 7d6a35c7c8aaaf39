import { ServiceMetrics } from './service-metrics';

describe('ServiceMetrics', () => {
  it('counts attempts by outcome, status class and kind, with lateness and duration histograms', async () => {
    const metrics = new ServiceMetrics({ processMetrics: false });
    metrics.attempt({
      outcome: 'delivered',
      status: 204,
      latenessSeconds: 0.003,
      durationSeconds: 0.02,
      failureCallback: false,
    });
    metrics.attempt({
      outcome: 'failed',
      status: 503,
      latenessSeconds: 0.2,
      durationSeconds: 0.1,
      failureCallback: false,
    });
    metrics.attempt({
      outcome: 'no_response',
      status: null,
      latenessSeconds: -0.001,
      durationSeconds: 10,
      failureCallback: true,
    });
    metrics.attemptSkipped('cancelled');
    metrics.eventsCreated(3);
    metrics.eventCancelled();
    metrics.historyBudgetRefused();
    let holding = 7;
    metrics.countHolding(() => holding);
    const { text, contentType } = await metrics.exposition();
    expect(contentType).toContain('text/plain');
    expect(text).toContain('scheduled_events_attempts_total{outcome="delivered",status_class="2xx",kind="event"} 1');
    expect(text).toContain('scheduled_events_attempts_total{outcome="failed",status_class="5xx",kind="event"} 1');
    expect(text).toContain(
      'scheduled_events_attempts_total{outcome="no_response",status_class="none",kind="failure_webhook"} 1',
    );
    // 3 ms late lands in the 5 ms bucket, not the 2.5 ms one; an early start counts as on time (0).
    expect(text).toContain('scheduled_events_call_lateness_seconds_bucket{le="0.0025",kind="event"} 0');
    expect(text).toContain('scheduled_events_call_lateness_seconds_bucket{le="0.005",kind="event"} 1');
    expect(text).toContain('scheduled_events_call_lateness_seconds_bucket{le="0.001",kind="failure_webhook"} 1');
    expect(text).toContain('scheduled_events_call_lateness_seconds_count{kind="event"} 2');
    expect(text).toContain('scheduled_events_attempts_skipped_total{reason="cancelled"} 1');
    expect(text).toContain('scheduled_events_created_total 3');
    expect(text).toContain('scheduled_events_cancelled_total 1');
    expect(text).toContain('scheduled_events_history_budget_refusals_total 1');
    expect(text).toContain('scheduled_events_attempts_holding 7');
    holding = 0;
    expect((await metrics.exposition()).text).toContain('scheduled_events_attempts_holding 0');
  });

  it("keeps each instance's counts apart, and adds process metrics unless told not to", async () => {
    const a = new ServiceMetrics();
    const b = new ServiceMetrics({ processMetrics: false });
    a.eventsCreated();
    expect((await a.exposition()).text).toContain('scheduled_events_created_total 1');
    expect((await a.exposition()).text).toContain('process_cpu_user_seconds_total');
    expect((await b.exposition()).text).toContain('scheduled_events_created_total 0');
    expect((await b.exposition()).text).not.toContain('process_cpu_user_seconds_total');
  });
});
