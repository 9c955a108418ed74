import { Router } from 'express';
import type { RouteDeps } from '../deps.js';
import { notFound } from '../errors.js';
import { assetParams } from '../validation.js';
import { assetTable, declarationList, lineageSvg, partitionTable } from '../views/assetViews.js';
import { h } from '../views/html.js';
import { layout } from '../views/layout.js';
import { pageContext } from './context.js';

/** /assets: every asset with its lineage and freshness; /assets/:key its partitions and readers. */
export function assetPages(deps: RouteDeps): Router {
  const { engine, policy } = deps;
  const r = Router();

  r.get('/assets', async (req, res) => {
    const ctx = pageContext(req, res, policy);
    const assets = await engine.listAssets();
    res.send(
      layout(
        ctx,
        'Assets',
        h`<h1>Assets</h1>
          <p class="muted">
            What the DAGs declare they write (outlets) and read (inlets, asset triggers, partition
            gates), with the newest partition written.
          </p>
          ${assetTable(assets, new Date())}`,
        { refresh: true },
      ),
    );
  });

  r.get('/assets/:assetKey', async (req, res) => {
    const ctx = pageContext(req, res, policy);
    const { assetKey } = assetParams.parse(req.params);
    const asset = await engine.getAsset(assetKey);
    if (!asset) throw notFound(`asset ${assetKey}`);
    res.send(
      layout(
        ctx,
        `${assetKey} · asset`,
        h`<p class="crumbs"><a href="/assets">Assets</a> › ${assetKey}</p>
          <h1>${assetKey}</h1>
          ${asset.description ? h`<p class="muted">${asset.description}</p>` : ''}
          <dl class="facts">
            <dt>Partitioned</dt><dd>${asset.partitioning ?? 'no (written whole)'}</dd>
            <dt>Partitions</dt><dd>${asset.partition_count} (${asset.event_count} events)</dd>
          </dl>
          <h2>Lineage</h2>
          ${lineageSvg(asset)}
          ${declarationList(asset)}
          <h2>Partitions</h2>
          ${partitionTable(asset)}`,
        { refresh: true },
      ),
    );
  });

  return r;
}
