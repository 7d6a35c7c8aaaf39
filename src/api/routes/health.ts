/**
 * Probes: `/healthz` says the process serves HTTP (liveness; never touches Temporal, so a Temporal outage does not
 * get the API restarted); `/readyz` says events can be scheduled and will be delivered (readiness).
 */
import { Hono } from 'hono';
import type { EventScheduler, Readiness } from '../../shared/scheduler';
import type { ApiLogger } from '../logger';
import { describeRoute } from '../openapi/operation';
import { healthDoc, readinessDoc } from './operations.openapi';

export function createHealthRouter(scheduler: EventScheduler, logger: ApiLogger) {
  return new Hono()
    .get('/healthz', describeRoute(healthDoc), (c) => c.json({ status: 'ok' as const }))
    .get('/readyz', describeRoute(readinessDoc), async (c) => {
      let readiness: Readiness;
      try {
        readiness = await scheduler.readiness();
      } catch (err) {
        // A probe answers, whatever happens: a failure to ask is "not ready", never a 500.
        logger.warn('readiness check failed', { error: err instanceof Error ? err.message : String(err) });
        readiness = { temporal: false, worker: false };
      }
      const ready = readiness.temporal && readiness.worker;
      return c.json({ status: ready ? ('ok' as const) : ('unavailable' as const), ...readiness }, ready ? 200 : 503);
    });
}
