import { Router } from 'express';
import type { RouteDeps } from '../deps.js';
import { notFound } from '../errors.js';
import { pairParams, pairQuery, stockQuery } from '../warehouseQueries.js';

/** How many anomalies and alerts the pair page and its API show. */
export const PAIR_EVENTS_LIMIT = 20;
/**
 * How far back the pair page lists anomalies: the window its "all →" link opens on /stream
 * (the longest that page shows). Counting them over the whole history grew with its age.
 */
export const PAIR_ANOMALY_HOURS = 168;
/** Days of daily sales shown before the demand forecast. */
export const PAIR_SALES_DAYS = 60;

/** Stock levels and one pair (sku × warehouse): level, metrics, history, demand forecast, anomalies, alerts. */
export function stockApi(deps: RouteDeps): Router {
  const { reads } = deps;
  const r = Router();

  r.get('/stock', async (req, res) => {
    const q = stockQuery.parse(req.query);
    res.json(
      await reads.listStockLevels(
        {
          warehouseId: q.warehouse_id,
          category: q.category,
          search: q.q,
          belowReorderPoint: q.below_reorder_point,
        },
        q,
      ),
    );
  });

  r.get('/stock/facets', async (_req, res) => {
    res.json(await reads.stockFacets());
  });

  r.get('/stock/:warehouseId/:sku', async (req, res) => {
    const { warehouseId, sku } = pairParams.parse(req.params);
    const { days } = pairQuery.parse(req.query);
    res.json(await readPair(deps, sku, warehouseId, days));
  });

  return r;
}

/**
 * Everything the pair page shows (anomalies: those detected in the last PAIR_ANOMALY_HOURS); a
 * 404 when the warehouse holds no such SKU.
 */
export async function readPair(deps: RouteDeps, sku: string, warehouseId: string, days: number) {
  const { reads } = deps;
  const page = { limit: PAIR_EVENTS_LIMIT, offset: 0 };
  const [stock, history, anomalies, alerts, demand] = await Promise.all([
    reads.readPairStock(sku, warehouseId),
    reads.pairLevelHistory(sku, warehouseId, days),
    reads.listAnomalies(
      { sku, warehouseId, since: new Date(Date.now() - PAIR_ANOMALY_HOURS * 3_600_000) },
      page,
    ),
    reads.listAlerts({ status: 'all', sku, warehouseId }, page),
    reads.pairDemandForecast(sku, warehouseId, PAIR_SALES_DAYS),
  ]);
  if (!stock) throw notFound(`stock of ${sku} at ${warehouseId}`);
  return { ...stock, days, history, anomalies, alerts, demand };
}
