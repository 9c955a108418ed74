import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import {
  ALERT_SOURCES,
  LOW_STOCK_ALERT,
  SEVERITIES,
  STOCKOUT_ALERT,
  STREAM_ALERT_TYPES,
  FULFILMENT_ALERT_TYPES,
  dedupKey,
  dedupKeySql,
  insertAlerts,
  insertAlertsSelect,
  listAlerts,
  severityRank,
  severityRankSql,
  type DedupSubject,
  type NewAlert,
} from '../../inventory/alerts/index.js';
import { dedupKey as streamDedupKey } from '../../streaming/pipeline/alerts.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

/** Values a key must carry through unchanged: separators, quotes, SQL and non-ASCII text. */
const AWKWARD = ['SKU-1', 'a:b', "o'brien", 'x || y', '%s', 'Lager Süd', ''];

/** Every subject shape, its varying parts taken from `v`. */
function subjects<T>(v: (i: number) => T): Array<DedupSubject<T>> {
  return [
    ...STREAM_ALERT_TYPES.map((alertType) => ({
      source: ALERT_SOURCES.streaming,
      alertType,
      sku: v(0),
      warehouseId: v(1),
    })),
    ...FULFILMENT_ALERT_TYPES.map((alertType) => ({
      source: ALERT_SOURCES.streaming,
      alertType,
      subjectId: v(1),
    })),
    { source: ALERT_SOURCES.lowStock, sku: v(0), warehouseId: v(1) },
    { source: ALERT_SOURCES.dataQuality, ruleId: v(0) },
  ];
}

describe('inventory/alerts: one owner for the alert key and insert', function () {
  describe('the dedup key', function () {
    it('keeps each source’s stored format', function () {
      expect(
        dedupKey({ source: 'streaming', alertType: STOCKOUT_ALERT, sku: 'S1', warehouseId: 'W1' }),
      ).to.equal('STOCKOUT_RISK:S1:W1');
      expect(
        dedupKey({ source: 'streaming', alertType: 'HIGH_VALUE', sku: 'S1', warehouseId: 'W1' }),
      ).to.equal('HIGH_VALUE:S1:W1');
      expect(dedupKey({ source: 'low_stock_alerts', sku: 'S1', warehouseId: 'W1' })).to.equal(
        'low_stock:S1:W1',
      );
      expect(dedupKey({ source: 'data_quality', ruleId: 'negative_reorder_point' })).to.equal(
        'dq:negative_reorder_point',
      );
      // A subject alert is keyed by its type and subject alone: an order, a shipment, an entity.
      expect(
        dedupKey({ source: 'streaming', alertType: 'LATE_DISPATCH_RISK', subjectId: 'ORDER-1' }),
      ).to.equal('LATE_DISPATCH_RISK:ORDER-1');
      expect(dedupKey({ source: 'streaming', alertType: 'AUDIT_POLICY', subjectId: 'stock:S1:W1' })).to.equal(
        'AUDIT_POLICY:stock:S1:W1',
      );
    });

    it('is the one the stream computes', function () {
      for (const t of STREAM_ALERT_TYPES) {
        expect(streamDedupKey(t, 'S1', 'W1')).to.equal(
          dedupKey({ source: 'streaming', alertType: t, sku: 'S1', warehouseId: 'W1' }),
        );
      }
    });

    it('as SQL, is the expression the DAGs have always stored', function () {
      expect(dedupKeySql({ source: 'low_stock_alerts', sku: 'sku', warehouseId: 'warehouse_id' })).to.equal(
        `'low_stock:' || sku || ':' || warehouse_id`,
      );
      expect(dedupKeySql({ source: 'data_quality', ruleId: 'rule_id' })).to.equal(`'dq:' || rule_id`);
    });
  });

  describe('on PostgreSQL', function () {
    this.timeout(60_000);
    let db: TestDatabase;

    before(async function () {
      db = await createTestDatabase();
    });

    after(async function () {
      await db?.drop();
    });

    it('the SQL key and the TypeScript key agree for every source and awkward values', async function () {
      for (const a of AWKWARD) {
        for (const b of AWKWARD) {
          const values = [a, b];
          const expected = subjects((i) => values[i]!).map((x) => dedupKey(x));
          const sql = subjects((i) => `v.p${i}`).map((x) => dedupKeySql(x));
          const { rows } = await db.knex.raw<{ rows: Array<{ keys: string[] }> }>(
            `SELECT ARRAY[${sql.join(', ')}] AS keys FROM (VALUES (?::text, ?::text)) AS v(p0, p1)`,
            values,
          );
          expect(rows[0]!.keys).to.deep.equal(expected);
        }
      }
    });

    it('the SQL severity rank agrees with severityRank', async function () {
      for (const sev of SEVERITIES) {
        const { rows } = await db.knex.raw<{ rows: Array<{ n: number }> }>(
          `SELECT ${severityRankSql('?::text')} AS n`,
          [sev],
        );
        expect(rows[0]!.n).to.equal(severityRank(sev));
      }
    });

    it('insertAlerts writes a row the list query reads back, once per alert id', async function () {
      const alert: NewAlert = {
        alertId: randomUUID(),
        alertType: 'HIGH_VALUE',
        severity: 'high',
        source: 'streaming',
        sku: 'S1',
        warehouseId: 'W1',
        message: 'high value: SALE -500 of S1 at W1',
        details: { eventId: randomUUID(), value: 25_000 },
        dedupKey: dedupKey({ source: 'streaming', alertType: 'HIGH_VALUE', sku: 'S1', warehouseId: 'W1' }),
      };
      expect(await insertAlerts(db.knex, [alert])).to.have.length(1);
      expect(await insertAlerts(db.knex, [alert])).to.deep.equal([]);
      const page = await listAlerts(db.knex, { source: 'streaming', sku: 'S1' }, { limit: 10, offset: 0 });
      expect(page.total).to.equal(1);
      const row = page.items[0]!;
      expect(row).to.include({
        alert_id: alert.alertId,
        alert_type: alert.alertType,
        severity: alert.severity,
        source: alert.source,
        sku: alert.sku,
        warehouse_id: alert.warehouseId,
        message: alert.message,
        dedup_key: 'HIGH_VALUE:S1:W1',
        acknowledged_at: null,
        resolved_at: null,
      });
      expect(row.details).to.deep.equal(alert.details);
    });

    it('insertAlertsSelect writes set-based rows the list query reads back, keyed as dedupKey says', async function () {
      const { rowCount } = await db.knex.raw<{ rowCount: number }>(
        insertAlertsSelect(
          {
            alertType: LOW_STOCK_ALERT,
            source: ALERT_SOURCES.lowStock,
            severity: 'severity',
            sku: 'sku',
            warehouseId: 'warehouse_id',
            message: `format('%s at %s is low', sku, warehouse_id)`,
            details: `jsonb_build_object('run_key', :runKey::text)`,
            dedupKey: dedupKeySql({
              source: ALERT_SOURCES.lowStock,
              sku: 'sku',
              warehouseId: 'warehouse_id',
            }),
          },
          `FROM (VALUES ('S2', 'W1', 'medium'), ('S3', 'W2', 'critical')) AS v(sku, warehouse_id, severity)`,
        ),
        { runKey: 'spec' },
      );
      expect(rowCount).to.equal(2);
      const page = await listAlerts(db.knex, { source: 'low_stock_alerts' }, { limit: 10, offset: 0 });
      expect(
        page.items.map((r) => [r.alert_type, r.severity, r.sku, r.message, r.dedup_key, r.details]),
      ).to.deep.equal([
        [
          'LOW_STOCK',
          'critical',
          'S3',
          'S3 at W2 is low',
          dedupKey({ source: 'low_stock_alerts', sku: 'S3', warehouseId: 'W2' }),
          { run_key: 'spec' },
        ],
        [
          'LOW_STOCK',
          'medium',
          'S2',
          'S2 at W1 is low',
          dedupKey({ source: 'low_stock_alerts', sku: 'S2', warehouseId: 'W1' }),
          { run_key: 'spec' },
        ],
      ]);
    });
  });
});
