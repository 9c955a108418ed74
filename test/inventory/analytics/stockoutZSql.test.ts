import { expect } from 'chai';
import {
  calibrated,
  calibratedSql,
  calibrationParams,
  STOCKOUT_Z_SQL,
  stockoutZ,
} from '../../../inventory/analytics/index.js';
import { createTestDatabase, type TestDatabase } from '../../support/db.js';

/** Positions around a pair with a lead time of 7 days and a demand of 70 ± 10.6 over it. */
const positions = [
  { available: 30, onOrder: 0, receiptDays: null },
  { available: 30, onOrder: 120, receiptDays: 3 },
  { available: 30, onOrder: 120, receiptDays: 0.4 },
  // Overdue by half a day, three days and a month.
  { available: 30, onOrder: 120, receiptDays: -0.5 },
  { available: 30, onOrder: 120, receiptDays: -3 },
  { available: 30, onOrder: 120, receiptDays: -30 },
  { available: 5, onOrder: 200, receiptDays: -2.25 },
  { available: 90, onOrder: 10, receiptDays: -6 },
];
const demand = { mean: 70, sigma: 4 * Math.sqrt(7) };
const L = 7;

describe('stock-out probability: the SQL twin', function () {
  let db: TestDatabase;

  before(async function () {
    db = await createTestDatabase({ migrated: false });
  });

  after(async function () {
    await db?.drop();
  });

  it('gives the z-score and the probability of stockoutZ and calibrated, overdue orders included', async function () {
    const values = positions
      .map((p, i) => `(${i}, ${p.available}, ${p.available + p.onOrder}, ${p.receiptDays ?? 'NULL'})`)
      .join(', ');
    const { rows } = await db.knex.raw(
      `WITH t(i, available, position, receipt_days) AS (VALUES ${values}),
            d AS (SELECT i, available::float8 AS available, position::float8 AS position,
                         receipt_days::float8 AS receipt_days, CAST(:l AS float8) AS l,
                         CAST(:mean AS float8) AS ltd_mean, CAST(:sigma AS float8) AS ltd_sigma FROM t),
            z AS (SELECT i, ${STOCKOUT_Z_SQL} AS z FROM d)
       SELECT i, z, ${calibratedSql('z')} AS p FROM z ORDER BY i`,
      { ...calibrationParams(), l: L, mean: demand.mean, sigma: demand.sigma },
    );
    expect(rows).to.have.length(positions.length);
    for (const [i, p] of positions.entries()) {
      const z = stockoutZ(
        { available: p.available, onOrder: p.onOrder, daysToNextReceipt: p.receiptDays, leadTimeDays: L },
        demand,
      );
      expect(rows[i].z, `position ${i}`).to.be.closeTo(z, 1e-9);
      expect(rows[i].p, `position ${i}`).to.be.closeTo(calibrated(z), 1e-9);
    }
  });
});
