import { expect } from 'chai';
import { apiClient, useServer, PUBLIC_READ, type TestServer } from './server.js';

/** Alerts, data quality, stream windows and anomalies, read through the WarehouseReads port. */
describe('dashboard API', function () {
  let s: TestServer;
  useServer({ worker: true, env: PUBLIC_READ }, (server) => (s = server));

  const { get } = apiClient(() => s);

  describe('warehouse results', () => {
    before(async () => {
      const knex = s.harness.db.knex;
      await knex('analytics.alerts').insert([
        {
          alert_type: 'LOW_STOCK',
          severity: 'high',
          source: 'low_stock_alerts',
          sku: 'A-1',
          warehouse_id: 'W1',
          message: 'low <script>alert(1)</script>',
          dedup_key: 'k1',
        },
        {
          alert_type: 'LOW_STOCK',
          severity: 'critical',
          source: 'low_stock_alerts',
          sku: 'A-2',
          warehouse_id: 'W1',
          message: 'out of stock',
          dedup_key: 'k2',
        },
        {
          alert_type: 'ANOMALY',
          severity: 'low',
          source: 'streaming',
          sku: 'A-3',
          warehouse_id: 'W2',
          message: 'resolved one',
          dedup_key: 'k3',
          resolved_at: new Date(),
        },
      ]);
      await knex('analytics.data_quality_results').insert([
        {
          check_run_key: 'dq-1',
          rule_id: 'negative_on_hand',
          rule_group: 'integrity',
          passed: false,
          failing_count: 2,
          checked_count: 10,
        },
        {
          check_run_key: 'dq-1',
          rule_id: 'freshness',
          rule_group: 'freshness',
          passed: true,
          failing_count: 0,
          checked_count: 1,
        },
      ]);
      const t0 = Date.now() - 10 * 60_000;
      await knex('analytics.stream_windows').insert(
        [0, 1, 2].map((i) => ({
          window_kind: 'tumbling_1m',
          window_start: new Date(t0 + i * 60_000),
          window_end: new Date(t0 + (i + 1) * 60_000),
          sku: 'A-1',
          warehouse_id: 'W1',
          event_count: 10 + i,
          units_in: 5,
          units_out: 3,
        })),
      );
      await knex('analytics.anomalies').insert({
        event_id: '00000000-0000-4000-8000-000000000001',
        sku: 'A-1',
        warehouse_id: 'W1',
        anomaly_type: 'HIGH_VALUE',
        severity: 'high',
        risk_score: 0.8,
        occurred_at: new Date(t0),
      });
    });

    it('lists open alerts most severe first, filtered and paginated', async () => {
      const open = await get('/api/alerts');
      expect(open.body.total).to.equal(2);
      expect(open.body.items.map((a: any) => a.severity)).to.deep.equal(['critical', 'high']);
      const page = await get('/api/alerts?status=all&limit=1&offset=1');
      expect(page.body).to.include({ total: 3, limit: 1, offset: 1 });
      expect(page.body.items).to.have.length(1);
      const filtered = await get('/api/alerts?sku=A-2');
      expect(filtered.body.items.map((a: any) => a.sku)).to.deep.equal(['A-2']);
    });

    it('lists data-quality results, filterable by outcome', async () => {
      const failed = await get('/api/data-quality/results?passed=false');
      expect(failed.body.items.map((r: any) => r.rule_id)).to.deep.equal(['negative_on_hand']);
      expect((await get('/api/data-quality/results')).body.total).to.equal(2);
    });

    it('serves stream windows, throughput per window and anomalies', async () => {
      const windows = await get('/api/stream/windows?window_kind=tumbling_1m&sku=A-1');
      expect(windows.body.total).to.equal(3);
      const throughput = await get('/api/stream/throughput?window_kind=tumbling_1m&hours=1');
      expect(throughput.body.points.map((p: any) => p.events)).to.deep.equal([10, 11, 12]);
      const anomalies = await get('/api/stream/anomalies?severity=high');
      expect(anomalies.body.items.map((a: any) => a.anomaly_type)).to.deep.equal(['HIGH_VALUE']);
    });

    it('escapes data in pages (no markup from the database reaches the HTML)', async () => {
      const page = await (await fetch(`${s.url}/alerts`)).text();
      expect(page).to.include('low &lt;script&gt;alert(1)&lt;/script&gt;');
      expect(page).not.to.include('<script>alert(1)');
      const dagPage = await (await fetch(`${s.url}/`)).text();
      expect(dagPage).to.include('Demo &lt;b&gt;ETL&lt;/b&gt;');
    });

    it('renders the stream page with inline SVG charts', async () => {
      const response = await fetch(`${s.url}/stream?hours=1`);
      const page = await response.text();
      expect(response.status, page.slice(0, 2000)).to.equal(200);
      expect(page).to.match(/<svg[^>]+aria-label="events per window"/);
      expect(page).to.match(/<rect\s+class="bar series-\d"/);
    });
  });
});
