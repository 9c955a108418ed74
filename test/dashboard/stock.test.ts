import { expect } from 'chai';
import { apiClient, startServer, PUBLIC_READ, type TestServer } from './server.js';
import { LAST_DAY, PROCESSED_DAYS, seedWarehouse, WEEKS, type WarehouseData } from './warehouseData.js';

/** Stock levels, one pair, reorder recommendations and weekly reports, on data the DAGs wrote. */
describe('dashboard warehouse outputs', function () {
  let s: TestServer;
  let data: WarehouseData;

  before(async () => {
    s = await startServer({ env: PUBLIC_READ });
    data = await seedWarehouse(s.harness.db.knex);
  });
  after(async () => {
    await s?.close();
  });

  const { get } = apiClient(() => s);
  const knex = () => s.harness.db.knex;
  const page = async (path: string) => {
    const response = await fetch(`${s.url}${path}`, { headers: { accept: 'text/html' } });
    return { status: response.status, text: await response.text(), response };
  };

  describe('GET /api/stock', () => {
    it('lists every pair with available = on hand − reserved and the newest days of cover, fewest first', async () => {
      const { status, body } = await get('/api/stock?limit=500');
      expect(status).to.equal(200);
      expect(body.total).to.equal(data.skus.length * data.warehouses.length);
      const newest = await knex()('analytics.processed_metrics').where('as_of_date', LAST_DAY);
      expect(newest).to.have.length(body.total);
      for (const item of body.items) {
        expect(item.quantity_available).to.equal(item.quantity_on_hand - item.quantity_reserved);
        const m = newest.find((r) => r.sku === item.sku && r.warehouse_id === item.warehouse_id)!;
        expect(item.days_of_cover, `${item.sku}@${item.warehouse_id}`).to.equal(m.days_of_cover);
        expect(item.reorder_point).to.equal(m.reorder_point);
        expect(item.metrics_date).to.equal(LAST_DAY);
        expect(item.below_reorder_point).to.equal(item.quantity_available <= m.reorder_point);
      }
      const covers = body.items.map((i: { days_of_cover: number | null }) => i.days_of_cover);
      const finite = covers.filter((c: number | null) => c !== null);
      expect(covers.slice(0, finite.length)).to.deep.equal([...finite].sort((a, b) => a - b));
      expect(covers.slice(finite.length).every((c: number | null) => c === null)).to.equal(true);
    });

    it('filters by warehouse, category, SKU search and "below reorder point", and pages', async () => {
      const byWarehouse = await get('/api/stock?warehouse_id=WH-2');
      expect(byWarehouse.body.total).to.equal(data.skus.length);
      expect(byWarehouse.body.items.every((i: any) => i.warehouse_id === 'WH-2')).to.equal(true);

      const byCategory = await get('/api/stock?category=cat-1');
      expect(byCategory.body.total).to.be.greaterThan(0);
      expect(byCategory.body.items.every((i: any) => i.category === 'cat-1')).to.equal(true);

      const search = await get('/api/stock?q=0003');
      expect(search.body.items.map((i: any) => i.sku)).to.deep.equal(['SKU-0003', 'SKU-0003']);
      expect((await get('/api/stock?q=%25')).body.total, 'a % is literal').to.equal(0);

      const below = await get('/api/stock?below_reorder_point=true&limit=500');
      const all = (await get('/api/stock?limit=500')).body.items;
      expect(below.body.total).to.equal(all.filter((i: any) => i.below_reorder_point).length);
      expect(below.body.items.every((i: any) => i.quantity_available <= i.reorder_point)).to.equal(true);

      const second = await get('/api/stock?limit=5&offset=5');
      expect(second.body).to.include({ limit: 5, offset: 5, total: all.length });
      expect(second.body.items.map((i: any) => i.sku + i.warehouse_id)).to.deep.equal(
        all.slice(5, 10).map((i: any) => i.sku + i.warehouse_id),
      );
    });

    it('answers a bad or unknown parameter with 400 and a message naming it', async () => {
      for (const [query, field] of [
        ['limit=0', 'limit'],
        ['limit=abc', 'limit'],
        ['offset=-1', 'offset'],
        ['below_reorder_point=maybe', 'below_reorder_point'],
        ['warehouse_id=%3Cscript%3E', 'warehouse_id'],
        ['warehouse=WH-1', 'warehouse'],
        ['q=a&q=b', 'q'],
      ] as const) {
        const { status, body } = await get(`/api/stock?${query}`);
        expect(status, query).to.equal(400);
        expect(body.error, query).to.include(field);
      }
    });
  });

  describe('one pair', () => {
    it('has its level, its newest metrics, one history point per snapshot day, its anomalies and alerts', async () => {
      await knex()('analytics.anomalies').insert({
        event_id: '00000000-0000-4000-8000-000000000016',
        sku: 'SKU-0002',
        warehouse_id: 'WH-1',
        anomaly_type: 'HIGH_VALUE',
        severity: 'high',
        risk_score: 0.8,
        occurred_at: new Date(),
      });
      const { status, body } = await get('/api/stock/WH-1/SKU-0002?days=30');
      expect(status).to.equal(200);
      const level = await knex()('inventory.inventory_levels')
        .where({ sku: 'SKU-0002', warehouse_id: 'WH-1' })
        .first();
      expect(body).to.include({
        sku: 'SKU-0002',
        warehouse_id: 'WH-1',
        quantity_on_hand: level.quantity_on_hand,
        quantity_available: level.quantity_on_hand - level.quantity_reserved,
      });
      const m = await knex()('analytics.processed_metrics')
        .where({ sku: 'SKU-0002', warehouse_id: 'WH-1', as_of_date: LAST_DAY })
        .first();
      expect(body.metrics.as_of_date).to.equal(LAST_DAY);
      for (const k of [
        'velocity_7d',
        'velocity_30d',
        'volatility',
        'trend',
        'expected_daily_demand',
        'stockout_risk',
        'days_of_cover',
        'safety_stock',
        'reorder_point',
        'reorder_quantity',
      ])
        expect(body.metrics[k], k).to.equal(m[k]);

      expect(body.history).to.have.length(30);
      expect(body.history[29].day).to.equal(LAST_DAY);
      expect((await get('/api/stock/WH-1/SKU-0002?days=90')).body.history).to.have.length(PROCESSED_DAYS);
      const snapshot = await knex()('analytics.daily_inventory_snapshots')
        .where({ sku: 'SKU-0002', warehouse_id: 'WH-1', snapshot_date: LAST_DAY })
        .first();
      expect(body.history[29]).to.include({
        quantity_on_hand: snapshot.quantity_on_hand,
        reorder_point: m.reorder_point,
      });

      expect(body.anomalies.items.map((a: any) => a.anomaly_type)).to.deep.equal(['HIGH_VALUE']);
      const alerts = await knex()('analytics.alerts').where({ sku: 'SKU-0002', warehouse_id: 'WH-1' });
      expect(body.alerts.total).to.equal(alerts.length);
    });

    it('renders the level chart with one point per snapshot day, linked from the stock page', async () => {
      const list = await page('/stock?warehouse_id=WH-1&q=SKU-0002');
      expect(list.status).to.equal(200);
      expect(list.text).to.include('href="/stock/WH-1/SKU-0002"');
      const pair = await page('/stock/WH-1/SKU-0002?days=60');
      expect(pair.status).to.equal(200);
      expect(pair.text).to.match(/<polyline class="line series-a" data-series="on_hand" data-points="40"/);
      expect(pair.text.match(/<circle class="dot/g)).to.have.length(PROCESSED_DAYS);
      expect(pair.text).to.include('data-series="reorder_point"');
      expect(pair.text).to.include('HIGH_VALUE');
    });

    it('has the daily sales of the last 60 days and the newest stored forecast with its band', async () => {
      const { body } = await get('/api/stock/WH-1/SKU-0002');
      const { sales, forecast } = body.demand;
      expect(sales).to.have.length(60);
      expect(sales[59].day).to.equal(LAST_DAY);
      const { rows } = await knex().raw(
        `SELECT to_char((occurred_at AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD') AS day, -sum(quantity_change)::int AS units
         FROM inventory.inventory_transactions
         WHERE sku = 'SKU-0002' AND warehouse_id = 'WH-1' AND event_type = 'SALE' GROUP BY 1`,
      );
      const sold = new Map(rows.map((r: { day: string; units: number }) => [r.day, r.units]));
      for (const s of sales) expect(s.units, s.day).to.equal(sold.get(s.day) ?? 0);

      const lead = (await knex()('inventory.products').where({ sku: 'SKU-0002' }).first()).lead_time_days;
      const stored = await knex()('analytics.lead_time_demand')
        .where({ sku: 'SKU-0002', warehouse_id: 'WH-1', as_of_date: LAST_DAY })
        .first();
      expect(forecast).to.include({
        as_of_date: LAST_DAY,
        lead_time_days: lead,
        lead_time_mean: stored.mean,
        lead_time_sigma: stored.sigma,
        model: stored.model,
        band_level: 0.8,
      });
      const days = await knex()('analytics.demand_forecasts')
        .where({ sku: 'SKU-0002', warehouse_id: 'WH-1', as_of_date: LAST_DAY })
        .orderBy('target_date')
        .select({ day: 'target_date' }, 'mean', 'lower', 'upper');
      expect(forecast.days).to.deep.equal(days);
      expect(forecast.days).to.have.length(lead);
    });

    it('draws the sales, the forecast and its band as one server-side chart', async () => {
      const lead = (await knex()('inventory.products').where({ sku: 'SKU-0002' }).first()).lead_time_days;
      const pair = await page('/stock/WH-1/SKU-0002');
      expect(pair.text).to.include('Demand, last 60 days, and forecast');
      expect(pair.text).to.match(/<polyline class="line series-a" data-series="sales" data-points="60"/);
      expect(pair.text.match(/<circle class="sale/g)).to.have.length(60);
      expect(pair.text).to.include(`data-series="band" data-points="${lead}"`);
      expect(pair.text).to.include(`data-series="forecast" data-points="${lead}"`);
      expect(pair.text.match(/<circle class="forecast-day/g)).to.have.length(lead);
      expect(pair.text).to.match(
        new RegExp(`Forecast made at the end of ${LAST_DAY} for the lead time \\(${lead} d\\)`),
      );
      expect(pair.text).to.include('80 % band');
      expect(pair.text).not.to.match(/<script[^>]+src="http/);

      // A pair the ETL has not forecast yet shows its sales alone.
      await knex()('analytics.lead_time_demand').where({ sku: 'SKU-0005', warehouse_id: 'WH-2' }).delete();
      const bare = await page('/stock/WH-2/SKU-0005');
      expect(bare.status).to.equal(200);
      expect(bare.text).to.include('The daily ETL has not forecast this pair yet.');
      expect(bare.text).to.match(/data-series="sales" data-points="60"/);
      expect(bare.text).not.to.include('data-series="band"');
    });

    it('answers 404 for a pair that does not exist and 400 for a bad one', async () => {
      expect((await get('/api/stock/WH-1/NOPE')).status).to.equal(404);
      expect((await page('/stock/WH-9/SKU-0001')).status).to.equal(404);
      const tooShort = await get('/api/stock/WH-1/SKU-0001?days=3');
      expect(tooShort.status).to.equal(400);
      expect(tooShort.body.error).to.include('days');
      expect((await get('/api/stock/WH-1/SKU-0001?days=ninety')).status).to.equal(400);
      expect((await page('/stock/WH-1/SKU-0001?days=ninety')).status).to.equal(400);
    });
  });

  describe('reorder recommendations', () => {
    it('lists what low_stock_alerts recommended: how much, and an order-by before the stock-out', async () => {
      const stored = await knex()('analytics.reorder_recommendations');
      expect(stored).to.have.length(data.recommendations);
      expect(data.recommendations, 'the seed leaves some pair to reorder').to.be.greaterThan(0);
      const { status, body } = await get('/api/reorders?limit=500');
      expect(status).to.equal(200);
      expect(body.total).to.equal(stored.length);
      for (const item of body.items) {
        const row = stored.find((r) => r.recommendation_id === item.recommendation_id)!;
        expect(item.reorder_quantity).to.equal(row.reorder_quantity);
        expect(new Date(item.as_of).getTime()).to.equal(data.checkedAt.getTime());
        const orderBy = new Date(item.order_by).getTime();
        expect(orderBy).to.be.at.least(data.checkedAt.getTime());
        if (item.stockout_at) {
          const lead = item.lead_time_days * 86_400_000;
          expect(orderBy).to.be.closeTo(
            Math.max(data.checkedAt.getTime(), new Date(item.stockout_at).getTime() - lead),
            1000,
          );
          expect(item.late).to.equal(new Date(item.stockout_at).getTime() - lead < data.checkedAt.getTime());
        }
      }
      const orderBys = body.items.map((i: any) => new Date(i.order_by).getTime());
      expect(orderBys).to.deep.equal([...orderBys].sort((a, b) => a - b));

      const wh2 = await get('/api/reorders?warehouse_id=WH-2');
      expect(wh2.body.total).to.equal(stored.filter((r) => r.warehouse_id === 'WH-2').length);
      expect((await get('/api/reorders?history=yes')).status).to.equal(400);
      expect((await get('/api/reorders?warehouse_id=')).status).to.equal(200);

      const html = await page('/reorders?warehouse_id=WH-2');
      expect(html.status).to.equal(200);
      for (const r of stored.filter((x) => x.warehouse_id === 'WH-2'))
        expect(html.text).to.include(`data-recommendation="${r.recommendation_id}"`);
    });
  });

  describe('weekly reports', () => {
    it('lists the weeks, newest first, with their KPIs and week-over-week change', async () => {
      const { status, body } = await get('/api/reports/weekly');
      expect(status).to.equal(200);
      expect(body.items.map((w: any) => w.week_start)).to.deep.equal([...WEEKS].reverse());
      const stored = await knex()('analytics.weekly_summaries').where('week_start', WEEKS[1]).first();
      expect(body.items[0].kpis).to.deep.equal(stored.metrics.kpis);
      expect(body.items[0].week_over_week).to.deep.equal(stored.metrics.week_over_week);
      const html = await page('/reports/weekly');
      expect(html.text).to.include(`href="/reports/weekly/${WEEKS[0]}"`);
    });

    it('compares a week with the one before and shows the e-mailed HTML in a sandbox', async () => {
      const { body } = await get(`/api/reports/weekly/${WEEKS[1]}`);
      const [before, after] = await Promise.all(
        WEEKS.map((w) => knex()('analytics.weekly_summaries').where('week_start', w).first()),
      );
      const units = body.comparison.find((c: any) => c.kpi === 'units_sold');
      expect(units).to.deep.equal({
        kpi: 'units_sold',
        label: 'Units sold',
        this_week: after.metrics.kpis.units_sold,
        previous_week: before.metrics.kpis.units_sold,
        change: after.metrics.week_over_week.units_sold,
      });
      expect(body.report_html).to.equal(after.report_html);
      expect(body.previous_week_start).to.equal(WEEKS[0]);

      const view = await page(`/reports/weekly/${WEEKS[1]}`);
      expect(view.status).to.equal(200);
      expect(view.text).to.match(
        /<iframe\s+id="report-frame"[^>]*src="\/reports\/weekly\/2026-03-23\/email"[^>]*sandbox=""/,
      );
      expect(view.response.headers.get('content-security-policy')).to.include("script-src 'self'");

      await knex()('analytics.weekly_summaries')
        .where('week_start', WEEKS[0])
        .update({ report_html: '<p style="color:red">hi</p><script>parent.document.title="owned"</script>' });
      const email = await page(`/reports/weekly/${WEEKS[0]}/email`);
      expect(email.status).to.equal(200);
      expect(email.text).to.include('<script>'); // stored as is; the policy below keeps it inert
      const csp = email.response.headers.get('content-security-policy')!;
      expect(csp).to.match(/(^|; )sandbox(;|$)/);
      expect(csp).to.include("default-src 'none'");
      expect(csp).not.to.include('script-src');
      expect(csp).to.include("frame-ancestors 'self'");
    });

    it('refuses a week that is not a Monday date (400) and answers 404 for one never summarised', async () => {
      expect((await get('/api/reports/weekly/2026-03-24')).status).to.equal(400);
      expect((await get('/api/reports/weekly/2026-13-02')).status).to.equal(400);
      expect((await get('/api/reports/weekly/last')).status).to.equal(400);
      expect((await get('/api/reports/weekly/2025-03-24')).status).to.equal(404);
      expect((await get('/api/reports/weekly?limit=9999')).status).to.equal(400);
      expect((await page('/reports/weekly/2026-03-25')).status).to.equal(400);
    });
  });

  it('puts Stock, Reorders and Reports in the nav, and answers a bad page filter with a 400 page', async () => {
    const stock = await page('/stock');
    expect(stock.text).to.include('href="/stock" class="active"');
    expect(stock.text).to.include('href="/reorders"');
    const bad = await page('/stock?below_reorder_point=perhaps');
    expect(bad.status).to.equal(400);
    expect(bad.text).to.include('below_reorder_point');
    expect((await page('/stock?flash=saved')).status, 'a flash message is not a filter').to.equal(200);
  });
});
