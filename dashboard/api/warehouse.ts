import { Router } from 'express';
import { audited } from '../audit.js';
import { principalOf, requireMutation } from '../auth.js';
import type { RouteDeps } from '../deps.js';
import { HttpError, notFound } from '../errors.js';
import { openWindowsOf } from '../openWindows.js';
import {
  alertParams,
  alertsQuery,
  anomaliesQuery,
  openWindowsQuery,
  qualityResultsQuery,
  qualityRunsQuery,
  throughputQuery,
  windowsQuery,
} from '../validation.js';

/**
 * Results of the DAGs and the sidecar: alerts, data quality, stream windows, anomalies — read-only
 * but for acknowledging an alert (an operator's mutation, `requireMutation`).
 */
export function warehouseApi(deps: RouteDeps): Router {
  const { reads, policy } = deps;
  const r = Router();

  r.get('/alerts', async (req, res) => {
    const q = alertsQuery.parse(req.query);
    res.json(
      await reads.listAlerts(
        {
          status: q.status,
          severity: q.severity,
          alertType: q.alert_type,
          source: q.source,
          sku: q.sku,
          warehouseId: q.warehouse_id,
          subjectType: q.subject_type,
          subjectId: q.subject_id,
          since: q.since,
        },
        q,
      ),
    );
  });

  // 200 with the alert (`outcome`: acknowledged, or already); 404 unknown id; 409 already resolved.
  r.post('/alerts/:alertId/acknowledge', requireMutation(policy, 'api'), async (req, res) => {
    const { alertId } = alertParams.parse(req.params);
    const result = await audited(
      deps,
      req,
      res,
      { action: 'alert.acknowledge', detail: { alert_id: alertId } },
      () => reads.acknowledgeAlert(alertId, principalOf(res)?.user ?? 'token'),
    );
    if (result.outcome === 'missing') throw notFound(`alert ${alertId}`);
    if (result.outcome === 'resolved') throw new HttpError(409, `alert ${alertId} is already resolved`);
    res.json({ outcome: result.outcome, alert: result.alert });
  });

  r.get('/alerts/summary', async (_req, res) => {
    res.json({ open_by_severity: await reads.openAlertCounts() });
  });

  r.get('/data-quality/results', async (req, res) => {
    const q = qualityResultsQuery.parse(req.query);
    res.json(
      await reads.listDataQualityResults(
        {
          passed: q.passed,
          ruleGroup: q.rule_group,
          ruleId: q.rule_id,
          checkRunKey: q.check_run_key,
          since: q.since,
        },
        q,
      ),
    );
  });

  r.get('/data-quality/runs', async (req, res) => {
    const q = qualityRunsQuery.parse(req.query);
    res.json(await reads.listDataQualityRuns({ since: q.since }, q));
  });

  r.get('/stream/windows', async (req, res) => {
    const q = windowsQuery.parse(req.query);
    res.json(
      await reads.listStreamWindows(
        { windowKind: q.window_kind, sku: q.sku, warehouseId: q.warehouse_id, from: q.from, to: q.to },
        q,
      ),
    );
  });

  r.get('/stream/throughput', async (req, res) => {
    const q = throughputQuery.parse(req.query);
    const since = new Date(Date.now() - q.hours * 3_600_000);
    const pair = { sku: q.sku, warehouseId: q.warehouse_id };
    const [points, open] = await Promise.all([
      reads.streamThroughput({ windowKind: q.window_kind, since, ...pair }),
      openWindowsOf(reads, { windowKind: q.window_kind, ...pair }),
    ]);
    // `points` are closed windows (final); `provisional` the windows still open, oldest first.
    res.json({ window_kind: q.window_kind, since, points, provisional: open.points });
  });

  r.get('/stream/windows/open', async (req, res) => {
    const q = openWindowsQuery.parse(req.query);
    const { windows } = await openWindowsOf(reads, {
      windowKind: q.window_kind,
      sku: q.sku,
      warehouseId: q.warehouse_id,
    });
    res.json({ window_kind: q.window_kind, provisional: true, items: windows });
  });

  r.get('/stream/anomalies', async (req, res) => {
    const q = anomaliesQuery.parse(req.query);
    res.json(
      await reads.listAnomalies(
        {
          anomalyType: q.anomaly_type,
          severity: q.severity,
          sku: q.sku,
          warehouseId: q.warehouse_id,
          since: q.since,
        },
        q,
      ),
    );
  });

  r.get('/stream/anomalies/histogram', async (req, res) => {
    const q = throughputQuery.parse(req.query);
    const since = new Date(Date.now() - q.hours * 3_600_000);
    const bucketSeconds = Math.max(60, Math.round((q.hours * 3600) / 60));
    res.json({
      since,
      bucket_seconds: bucketSeconds,
      buckets: await reads.anomalyHistogram({
        since,
        bucketSeconds,
        sku: q.sku,
        warehouseId: q.warehouse_id,
      }),
    });
  });

  return r;
}
