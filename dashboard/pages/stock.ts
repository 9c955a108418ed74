import { Router } from 'express';
import type { RouteDeps } from '../deps.js';
import { h } from '../views/html.js';
import { layout, pager } from '../views/layout.js';
import { formatCover, formatPercent, formatQuantity, pairHref } from '../views/quantities.js';
import { pageQuery, stockQuery } from '../warehouseQueries.js';
import { pageContext } from './context.js';

/** Stock levels by warehouse and category, fewest days of cover first. */
export function stockPages(deps: RouteDeps): Router {
  const { reads, policy } = deps;
  const r = Router();

  r.get('/stock', async (req, res) => {
    const ctx = pageContext(req, res, policy);
    const q = stockQuery.parse(pageQuery(req.query));
    const [page, facets] = await Promise.all([
      reads.listStockLevels(
        {
          warehouseId: q.warehouse_id,
          category: q.category,
          search: q.q,
          belowReorderPoint: q.below_reorder_point,
        },
        q,
      ),
      reads.stockFacets(),
    ]);
    const filtered = q.warehouse_id || q.category || q.q || q.below_reorder_point !== undefined;
    res.send(
      layout(
        ctx,
        'Stock levels',
        h`<h1>Stock levels</h1>
          <p class="muted">
            Every SKU in every warehouse, the fewest days of cover first. Available = on hand − reserved,
            now; reorder point and days of cover are those of the pair's newest daily metrics (SPEC §5).
          </p>
          <form method="get" class="filters" id="stock-filters">
            <select name="warehouse_id" aria-label="Warehouse">
              <option value="">all warehouses</option>
              ${facets.warehouses.map(
                (w) => h`<option value="${w}" ${w === q.warehouse_id ? h` selected` : ''}>${w}</option>`,
              )}
            </select>
            <select name="category" aria-label="Category">
              <option value="">all categories</option>
              ${facets.categories.map(
                (c) => h`<option value="${c}" ${c === q.category ? h` selected` : ''}>${c}</option>`,
              )}
            </select>
            <input name="q" placeholder="SKU or name" aria-label="SKU or name" value="${q.q ?? ''}" />
            <label>
              <input type="checkbox" name="below_reorder_point" value="true"
                ${q.below_reorder_point ? h` checked` : ''} />
              <span>below reorder point</span>
            </label>
            <button type="submit" class="btn secondary">Filter</button>
            ${filtered ? h`<a href="/stock">clear</a>` : ''}
          </form>
          ${
            page.items.length === 0
              ? h`<p class="empty">
                  ${filtered ? 'No pair matches these filters.' : 'No stock yet: load data with wareflow generate.'}
                </p>`
              : h`<table id="stock-table">
                  <thead>
                    <tr>
                      <th>SKU</th>
                      <th>Product</th>
                      <th>Category</th>
                      <th>Warehouse</th>
                      <th class="num">On hand</th>
                      <th class="num">Reserved</th>
                      <th class="num">Available</th>
                      <th class="num">Reorder point</th>
                      <th class="num">Days of cover</th>
                      <th class="num">Stock-out risk</th>
                      <th>Metrics of</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${page.items.map(
                      (s) =>
                        h`<tr data-pair="${s.sku}@${s.warehouse_id}">
                          <td><a class="pair-link" href="${pairHref(s.warehouse_id, s.sku)}">${s.sku}</a></td>
                          <td>${s.name}</td>
                          <td>${s.category}</td>
                          <td>${s.warehouse_id}</td>
                          <td class="num">${formatQuantity(s.quantity_on_hand)}</td>
                          <td class="num">${formatQuantity(s.quantity_reserved)}</td>
                          <td class="num">
                            ${
                              s.below_reorder_point
                                ? h`<span class="sev sev-${s.quantity_available <= 0 ? 'critical' : 'high'}"
                                  title="at or below the reorder point">${formatQuantity(s.quantity_available)}</span>`
                                : formatQuantity(s.quantity_available)
                            }
                          </td>
                          <td class="num">${formatQuantity(s.reorder_point)}</td>
                          <td class="num">${formatCover(s.days_of_cover, s.metrics_date !== null)}</td>
                          <td class="num">${formatPercent(s.stockout_risk)}</td>
                          <td>${s.metrics_date ?? h`<span class="muted">not computed yet</span>`}</td>
                        </tr>`,
                    )}
                  </tbody>
                </table>`
          }
          ${pager(
            '/stock',
            {
              warehouse_id: q.warehouse_id,
              category: q.category,
              q: q.q,
              below_reorder_point:
                q.below_reorder_point === undefined ? undefined : String(q.below_reorder_point),
            },
            page,
          )}`,
      ),
    );
  });

  return r;
}
