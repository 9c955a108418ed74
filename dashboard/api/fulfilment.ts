import { Router } from 'express';
import type { RouteDeps } from '../deps.js';
import { fulfilmentDays, fulfilmentLive, fulfilmentQuery } from '../warehouseQueries.js';

/**
 * Fulfilment metrics per warehouse (inventory/fulfilment/CONTRACT.md §8), one definition for every
 * period: `days` as the daily ETL stored them, `today` so far computed now, and `windows`, the
 * stream's windows of one kind that started in the last `hours`.
 */
export function fulfilmentApi(deps: RouteDeps): Router {
  const { reads } = deps;
  const r = Router();

  r.get('/fulfilment', async (req, res) => {
    const q = fulfilmentQuery.parse(req.query);
    const now = Date.now();
    const period = fulfilmentDays(q, now);
    const live = fulfilmentLive(q, now);
    const [days, today, windows] = await Promise.all([
      reads.readDailyFulfilmentMetrics({ ...period, warehouseId: q.warehouse_id }),
      reads.computeFulfilmentMetrics(live.today),
      reads.listFulfilmentWindows({ ...live.windows, warehouseId: q.warehouse_id }),
    ]);
    res.json({
      from: period.fromDay,
      to: period.toDay,
      warehouse_id: q.warehouse_id ?? null,
      days,
      today: {
        from: live.today.from,
        to: live.today.to,
        warehouses: today.filter((x) => !q.warehouse_id || x.warehouse_id === q.warehouse_id),
      },
      windows: {
        window_kind: live.windows.windowKind,
        from: live.windows.from,
        to: live.windows.to,
        rows: windows,
      },
    });
  });

  return r;
}
