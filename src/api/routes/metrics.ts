/**
 * `GET /metrics`: this process's metrics in Prometheus text (docs/operations.md "Metrics"). Behind the admin secret
 * like every call (Prometheus sends it as `Authorization: Bearer`); counts only, no event data.
 */
import { Hono } from 'hono';
import type { ServiceMetrics } from '../../metrics/service-metrics';
import { describeRoute } from '../openapi/operation';
import { metricsDoc } from './operations.openapi';

export function createMetricsRouter(metrics: ServiceMetrics) {
  return new Hono().get('/metrics', describeRoute(metricsDoc), async (c) => {
    const { text, contentType } = await metrics.exposition();
    return c.body(text, 200, { 'Content-Type': contentType });
  });
}
