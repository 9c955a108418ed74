import type { RequestHandler } from 'express';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface DashboardMetrics {
  registry: Registry;
  /** Counts and times every request, labelled by route pattern (never the raw path). */
  middleware: RequestHandler;
  /** `GET /metrics`: the dashboard's registry followed by the engine's. */
  handler: RequestHandler;
}

/**
 * The dashboard's own metrics (HTTP and, unless another registry already has them, the process
 * defaults) plus the registries handed in (the engine's). Exposition concatenates registries
 * and skips a metric family already written, so a name present in two registries is served once
 * instead of making the whole scrape fail as `Registry.merge` would.
 */
export function createDashboardMetrics(others: Registry[]): DashboardMetrics {
  const registry = new Registry();
  if (!others.some((r) => r.getSingleMetric('process_cpu_user_seconds_total'))) {
    collectDefaultMetrics({ register: registry });
    // Gauges named *_total break the exposition conventions (`promtool check metrics` flags them);
    // the same counts stay available, by type, as nodejs_active_handles / _requests / _resources.
    for (const name of [
      'nodejs_active_handles_total',
      'nodejs_active_requests_total',
      'nodejs_active_resources_total',
    ])
      registry.removeSingleMetric(name);
  }
  const requests = new Counter({
    name: 'wareflow_dashboard_http_requests_total',
    help: 'HTTP requests served by the dashboard, by method, route pattern and status code',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'wareflow_dashboard_http_request_duration_seconds',
    help: 'Time to serve a dashboard HTTP request, by method and route pattern',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });

  const middleware: RequestHandler = (req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      // The matched route pattern keeps label cardinality bounded; unmatched paths share one label.
      const routePath = (req.route as { path?: unknown } | undefined)?.path;
      const route =
        typeof routePath === 'string'
          ? req.baseUrl + routePath
          : req.originalUrl.startsWith('/admin/queues')
            ? '/admin/queues'
            : req.originalUrl.startsWith('/static/')
              ? '/static'
              : 'unmatched';
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      requests.inc({ method: req.method, route, status: String(res.statusCode) });
      duration.observe({ method: req.method, route }, seconds);
    });
    next();
  };

  const all = [registry, ...others];
  const handler: RequestHandler = async (_req, res) => {
    const seen = new Set<string>();
    const parts: string[] = [];
    for (const r of all) {
      for (const metric of r.getMetricsAsArray()) {
        if (seen.has(metric.name)) continue;
        seen.add(metric.name);
        parts.push(await r.getSingleMetricAsString(metric.name));
      }
    }
    res.set('Content-Type', registry.contentType).send(parts.join('\n') + '\n');
  };

  return { registry, middleware, handler };
}
