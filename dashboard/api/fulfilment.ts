import { Router } from 'express';
import type { RouteDeps } from '../deps.js';
import { fulfilmentDays, fulfilmentQuery } from '../warehouseQueries.js';

/** Fulfilment metrics per warehouse and day (inventory/fulfilment/CONTRACT.md §8). */
export function fulfilmentApi(deps: RouteDeps): Router {
  const { reads } = deps;
  const r = Router();

  r.get('/fulfilment', async (req, res) => {
    const q = fulfilmentQuery.parse(req.query);
    const period = fulfilmentDays(q);
    const days = await reads.readDailyFulfilmentMetrics({ ...period, warehouseId: q.warehouse_id });
    res.json({ from: period.fromDay, to: period.toDay, warehouse_id: q.warehouse_id ?? null, days });
  });

  return r;
}
