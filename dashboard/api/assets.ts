import { Router } from 'express';
import type { RouteDeps } from '../deps.js';
import { notFound } from '../errors.js';
import { assetParams } from '../validation.js';

/**
 * GET /api/assets — every asset: key, partitioning, declarations (dag_id, task_id, role), event
 * and partition counts, latest partition, event time and run.
 * GET /api/assets/:assetKey — the same for one asset, with `partitions`: its newest partitions,
 * each with its events (run, task, try, rows, created_at) and readers (runs that consumed an
 * event, or that waited for the partition).
 */
export function assetsApi(deps: RouteDeps): Router {
  const { engine } = deps;
  const r = Router();

  r.get('/assets', async (_req, res) => {
    res.json({ assets: await engine.listAssets() });
  });

  r.get('/assets/:assetKey', async (req, res) => {
    const { assetKey } = assetParams.parse(req.params);
    const asset = await engine.getAsset(assetKey);
    if (!asset) throw notFound(`asset ${assetKey}`);
    res.json(asset);
  });

  return r;
}
