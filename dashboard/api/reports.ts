import { Router } from 'express';
import type { RouteDeps } from '../deps.js';
import { notFound } from '../errors.js';
import { compareWeeks } from '../weekComparison.js';
import { reordersQuery, weekParams, weeksQuery } from '../warehouseQueries.js';

/** Reorder recommendations (low_stock_alerts) and weekly summaries (weekly_summary). */
export function reportsApi(deps: RouteDeps): Router {
  const { reads } = deps;
  const r = Router();

  r.get('/reorders', async (req, res) => {
    const q = reordersQuery.parse(req.query);
    res.json(
      await reads.listReorderRecommendations(
        { warehouseId: q.warehouse_id, sku: q.sku, history: q.history },
        q,
      ),
    );
  });

  r.get('/reports/weekly', async (req, res) => {
    const q = weeksQuery.parse(req.query);
    const page = await reads.listWeeklySummaries(q);
    res.json({
      ...page,
      items: page.items.map((w) => ({
        week_start: w.week_start,
        week_end: w.week_end,
        computed_at: w.computed_at,
        kpis: w.metrics.kpis,
        week_over_week: w.metrics.week_over_week,
      })),
    });
  });

  r.get('/reports/weekly/:weekStart', async (req, res) => {
    const { weekStart } = weekParams.parse(req.params);
    const report = await reads.readWeeklySummary(weekStart);
    if (!report) throw notFound(`weekly summary of ${weekStart}`);
    res.json({
      week_start: report.week_start,
      week_end: report.week_end,
      computed_at: report.computed_at,
      previous_week_start: report.previous_week_start,
      next_week_start: report.next_week_start,
      comparison: compareWeeks(report),
      metrics: report.metrics,
      report_html: report.report_html,
    });
  });

  return r;
}
