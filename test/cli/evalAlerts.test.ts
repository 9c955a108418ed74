import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { ledgerIsEvalMade } from '../../inventory/backtest/index.js';
import { generateToPostgres } from '../../inventory/generator/index.js';
import { runCli } from '../services/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { TEST_REDIS_URL } from '../support/isolation.js';

const SMALL = ['--days', '14', '--clean-days', '3', '--skus', '4', '--warehouses', '2', '--rate', '0.5'];
const SPEC_KEYS = [
  'detectors',
  'clean_alerts_per_100_pairs_day',
  'stockout_brier',
  'stockout_brier_baseline',
  'forecast_mase',
  'forecast_smape',
];
const DETECTOR_TYPES = [
  'VOLUME_ZSCORE',
  'VOLUME_IQR',
  'AFTER_HOURS',
  'WEEKEND_ACTIVITY',
  'NEGATIVE_STOCK',
  'HIGH_VALUE',
  'RAPID_DEPLETION',
  'FREQUENCY_SPIKE',
  'STOCKOUT',
  'DQ_DUPLICATE_TRANSACTIONS',
  'DQ_ON_HAND_MISMATCH',
  'DQ_INGESTION_GAP',
  'DQ_NEGATIVE_ON_HAND',
  'LATE_DISPATCH',
  'SHIPMENT_EXCEPTION',
  'AUDIT_POLICY',
];

const isRatioOrNull = (x: unknown) => x === null || (typeof x === 'number' && x >= 0 && x <= 1);

describe('wareflow eval alerts', function () {
  // A child process replays three weeks through the stream (inventory and fulfilment topics) and
  // the DAGs: about 90 s on a machine shared with other work.
  this.timeout(300_000);
  let db: TestDatabase;
  let dataDir: string;
  const env = () => ({
    DATABASE_URL: db.url,
    DATA_DIR: dataDir,
    REDIS_URL: TEST_REDIS_URL,
    LOG_LEVEL: 'error',
  });

  before(async () => {
    db = await createTestDatabase();
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'wareflow-eval-alerts-'));
  });
  after(async () => {
    await db?.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('replays a small labelled history and prints one JSON document with the SPEC §8 fields', async () => {
    const run = await runCli(['eval', 'alerts', '--json', ...SMALL], env());
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout.trim().split('\n')).to.have.length(1);
    const report = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(report).to.include.keys(SPEC_KEYS);
    // 21 days are less than the forecast backtest's 56-day warm-up: nothing to score, not a zero.
    expect(report.forecast_mase).to.equal(null);
    expect(report.forecast_smape).to.equal(null);
    // Seasonal naive's scores and the all-days scores stand beside the rule's, null alike.
    expect(report.forecast_baseline_mase).to.equal(null);
    expect(report.forecast_all_days).to.deep.equal({
      forecast_mase: null,
      forecast_smape: null,
      baseline_mase: null,
      baseline_smape: null,
    });
    // The labelled live hour went through the stream after the history.
    const live = (report.dataset as { live: { events: number; from: string; to: string } }).live;
    expect(live.events).to.be.greaterThan(0);
    expect(Date.parse(live.to) - Date.parse(live.from)).to.equal(3_600_000);
    expect(report.clean_alerts_per_100_pairs_day).to.be.a('number').and.to.be.at.least(0);
    for (const key of ['stockout_brier', 'stockout_brier_baseline'])
      expect(isRatioOrNull(report[key]), key).to.equal(true);

    const detectors = report.detectors as Array<Record<string, unknown>>;
    expect(detectors.map((d) => d.type)).to.include.members(DETECTOR_TYPES);
    for (const d of detectors) {
      expect(d).to.include.keys(
        'type',
        'precision',
        'recall',
        'f1',
        'p95_delay_s',
        'median_delay_s',
        'tp',
        'fp',
        'fn',
      );
      for (const k of ['precision', 'recall', 'f1'])
        expect(isRatioOrNull(d[k]), `${d.type} ${k}`).to.equal(true);
      expect(d.p95_delay_s === null || typeof d.p95_delay_s === 'number').to.equal(true);
      // Precision is null exactly when the detector raised nothing.
      expect(d.precision === null).to.equal((d.tp as number) + (d.fp as number) === 0);
    }
    // The order, shipment and audit streams went through the sidecar with the inventory events.
    const dataset = report.dataset as { labelled: { fulfilment_events: number } };
    expect(dataset.labelled.fulfilment_events).to.be.greaterThan(0);
    // The labelled data set stays, with its labels, and is known as the eval's own.
    const { rows } = await db.knex.raw('SELECT count(*)::int AS n FROM inventory.incident_labels');
    expect(rows[0].n).to.be.greaterThan(0);
    expect(await ledgerIsEvalMade(db.knex)).to.equal(true);
    // The history ends on the hour the live hour starts at, and the data-quality checks covered
    // it up to there: the day's run (or the part day's, keyed by its midnight) ends at that hour.
    const labelled = (report.dataset as { labelled: { to: string } }).labelled;
    expect(labelled.to).to.equal(live.from);
    expect(Date.parse(labelled.to) % 3_600_000).to.equal(0);
    const lastMidnight = new Date(Math.floor((Date.parse(labelled.to) - 1) / 86_400_000) * 86_400_000);
    const checks = await db.knex.raw('SELECT 1 FROM analytics.data_quality_results WHERE check_run_key = ?', [
      `data_quality:${lastMidnight.toISOString()}`,
    ]);
    expect(checks.rows).to.not.have.length(0);
  });

  it("fits the stock-out calibration on the pair-days of every --pool database with DATABASE_URL's", async () => {
    // Uses the data set the eval above left; pooling the database with itself doubles every case.
    const fit = async (...args: string[]) => {
      const run = await runCli(['eval', 'stockout', '--fit', '--json', ...args], env());
      expect(run.code, run.stderr).to.equal(0);
      return (JSON.parse(run.stdout) as { fit: { cases: number; knots: unknown[] } }).fit;
    };
    const alone = await fit();
    expect(alone.cases).to.be.greaterThan(0);
    const pooled = await fit('--pool', db.url);
    expect(pooled.cases).to.equal(2 * alone.cases);
    expect(pooled.knots).to.not.have.length(0);
  });

  it('refuses --pool without --fit, in one line and with exit code 2', async () => {
    const run = await runCli(['eval', 'stockout', '--pool', db.url], env());
    expect(run.code).to.equal(2);
    expect(run.stderr.trim().split('\n')).to.deep.equal([
      'wareflow: --pool needs --fit: it pools training years for the fit',
    ]);
  });

  it('refuses, in one line and with exit code 2, a database whose ledger no eval made', async () => {
    await generateToPostgres(db.knex, { days: 3, skus: 2, warehouses: 1, seed: 3, to: '2026-03-01' });
    const run = await runCli(['eval', 'alerts', '--json', ...SMALL], env());
    expect(run.code).to.equal(2);
    expect(run.stdout).to.equal('');
    expect(run.stderr.trim().split('\n')).to.have.length(1);
    expect(run.stderr).to.match(/no eval made; pass --replace/);
  });
});
