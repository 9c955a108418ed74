import { Router } from 'express';
import type { RouteDeps } from '../deps.js';
import { formatTime } from '../views/format.js';
import { h } from '../views/html.js';
import { layout, pager } from '../views/layout.js';
import { formatPercent, formatQuantity, pairHref } from '../views/quantities.js';
import { pageQuery, reordersQuery } from '../warehouseQueries.js';
import { pageContext } from './context.js';

/** What to order, how much and by when: the recommendations low_stock_alerts writes. */
export function reorderPages(deps: RouteDeps): Router {
  const { reads, policy } = deps;
  const r = Router();

  r.get('/reorders', async (req, res) => {
    const ctx = pageContext(req, res, policy);
    const q = reordersQuery.parse(pageQuery(req.query));
    const [page, facets] = await Promise.all([
      reads.listReorderRecommendations({ warehouseId: q.warehouse_id, sku: q.sku, history: q.history }, q),
      reads.stockFacets(),
    ]);
    res.send(
      layout(
        ctx,
        'Reorder recommendations',
        h`<h1>Reorder recommendations</h1>
          <p class="muted">
            Written by <a href="/dags/low_stock_alerts">low_stock_alerts</a> every six hours for pairs at or
            below their reorder point or at risk of a stock-out, and published to reorder-events.
            <em>Order by</em> is the last moment an order still arrives (after the lead time) before the
            available stock runs out at the expected daily demand μ.
          </p>
          <form method="get" class="filters">
            <select name="warehouse_id" aria-label="Warehouse">
              <option value="">all warehouses</option>
              ${facets.warehouses.map(
                (w) => h`<option value="${w}" ${w === q.warehouse_id ? h` selected` : ''}>${w}</option>`,
              )}
            </select>
            <input name="sku" placeholder="SKU" aria-label="SKU" value="${q.sku ?? ''}" />
            <label>
              <input type="checkbox" name="history" value="true" ${q.history ? h` checked` : ''} />
              <span>superseded ones too</span>
            </label>
            <button type="submit" class="btn secondary">Filter</button>
          </form>
          ${
            page.items.length === 0
              ? h`<p class="empty">No reorder recommendations${q.warehouse_id ? h` for ${q.warehouse_id}` : ''}.</p>`
              : h`<table id="reorders-table">
                  <thead>
                    <tr>
                      <th>Order by</th>
                      <th>SKU</th>
                      <th>Product</th>
                      <th>Warehouse</th>
                      <th class="num">Order quantity</th>
                      <th>Severity</th>
                      <th class="num">Available then</th>
                      <th class="num">Reorder point</th>
                      <th class="num">Stock-out risk</th>
                      <th>Runs out</th>
                      <th class="num">Available now</th>
                      <th>Recommended</th>
                      <th>Published</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${page.items.map(
                      (x) =>
                        h`<tr data-recommendation="${x.recommendation_id}">
                          <td>
                            ${formatTime(x.order_by)}
                            ${x.late ? h`<span class="sev sev-critical" title="even an order placed at once arrives after the stock-out">late</span>` : ''}
                          </td>
                          <td><a href="${pairHref(x.warehouse_id, x.sku)}">${x.sku}</a></td>
                          <td>${x.name}</td>
                          <td>${x.warehouse_id}</td>
                          <td class="num"><strong>${formatQuantity(x.reorder_quantity)}</strong></td>
                          <td><span class="sev sev-${x.severity}">${x.severity}</span></td>
                          <td class="num">${formatQuantity(x.quantity_available)}</td>
                          <td class="num">${formatQuantity(x.reorder_point)}</td>
                          <td class="num">${formatPercent(x.stockout_risk)}</td>
                          <td>${x.stockout_at ? formatTime(x.stockout_at) : h`<span class="muted">no demand</span>`}</td>
                          <td class="num">${formatQuantity(x.available_now)}</td>
                          <td>${formatTime(x.as_of)}</td>
                          <td>${x.published_at ? formatTime(x.published_at) : h`<span class="muted">pending</span>`}</td>
                        </tr>`,
                    )}
                  </tbody>
                </table>`
          }
          ${pager(
            '/reorders',
            { warehouse_id: q.warehouse_id, sku: q.sku, history: q.history ? 'true' : undefined },
            page,
          )}`,
      ),
    );
  });

  return r;
}
