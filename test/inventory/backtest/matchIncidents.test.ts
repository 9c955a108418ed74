import { expect } from 'chai';
import {
  MATCH_GRACE_MS,
  explainedDetectors,
  quantile,
  scoreDetectors,
  type Detection,
  type LabelCase,
} from '../../../inventory/backtest/index.js';

const T0 = Date.parse('2026-03-02T10:00:00Z');
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const END = T0 + 30 * DAY;

function label(over: Partial<LabelCase> & Pick<LabelCase, 'id' | 'type'>): LabelCase {
  return { sku: 'S1', warehouse_id: 'W1', start: T0, end: T0, also: [], ...over };
}

const at = (detector: string, t: number, sku: string | null = 'S1', warehouse_id = 'W1'): Detection => ({
  detector,
  at: t,
  places: [{ sku, warehouse_id }],
});

const score = (detector: string, labels: LabelCase[], detections: Detection[]) =>
  scoreDetectors([detector], labels, detections, { dataEnd: END })[0]!;

describe('matching alerts to labelled incidents', () => {
  it('counts a detection of the same type, pair and instant as a true positive, with delay 0', () => {
    const s = score('AFTER_HOURS', [label({ id: 'a', type: 'AFTER_HOURS' })], [at('AFTER_HOURS', T0)]);
    expect(s).to.include({ tp: 1, fp: 0, fn: 0, precision: 1, recall: 1, f1: 1, median_delay_s: 0 });
  });

  it('counts a detection on another pair, of another type, or outside the window as a false positive', () => {
    const labels = [label({ id: 'a', type: 'AFTER_HOURS' })];
    const s = score('AFTER_HOURS', labels, [
      at('AFTER_HOURS', T0, 'S2'),
      at('AFTER_HOURS', T0, 'S1', 'W2'),
      at('AFTER_HOURS', T0 + 1),
      at('WEEKEND_ACTIVITY', T0),
    ]);
    expect(s).to.include({ tp: 0, fp: 3, fn: 1, precision: 0, recall: 0, f1: 0 });
    expect(s.median_delay_s).to.equal(null);
  });

  it('gives precision null (not 0) to a detector that raised nothing, and recall null without labels', () => {
    const none = score('HIGH_VALUE', [label({ id: 'a', type: 'HIGH_VALUE' })], []);
    expect(none).to.include({ precision: null, recall: 0, f1: null, fn: 1 });
    const noLabels = score('HIGH_VALUE', [], [at('HIGH_VALUE', T0)]);
    expect(noLabels).to.include({ precision: 0, recall: null, f1: null, fp: 1 });
  });

  it("neither credits nor blames a detection that another incident's `also` explains", () => {
    // A bulk receipt (HIGH_VALUE) is a volume outlier as well.
    const labels = [label({ id: 'h', type: 'HIGH_VALUE', also: ['VOLUME_ZSCORE', 'VOLUME_IQR'] })];
    const s = score('VOLUME_ZSCORE', labels, [at('VOLUME_ZSCORE', T0), at('VOLUME_ZSCORE', T0 + HOUR)]);
    expect(s).to.include({ tp: 0, explained: 1, fp: 1, precision: 0, recall: null });
  });

  it('reads `also` in detector names: STOCKOUT_RISK, DQ rule ids, and NEGATIVE_STOCK implying the negative-on-hand rule', () => {
    expect([...explainedDetectors({ type: 'RAPID_DEPLETION', also: ['STOCKOUT_RISK'] })]).to.have.members([
      'STOCKOUT',
      'LOW_STOCK',
    ]);
    expect([...explainedDetectors({ type: 'DQ_INGESTION_GAP', also: ['stale_data'] })]).to.deep.equal([
      'DQ_STALE_DATA',
    ]);
    expect(explainedDetectors({ type: 'NEGATIVE_STOCK', also: ['STOCKOUT_RISK'] })).to.include(
      'DQ_NEGATIVE_ON_HAND',
    );
  });

  it('lets a detector fire within its grace after the end: an hour for RAPID_DEPLETION, none for AFTER_HOURS', () => {
    expect(MATCH_GRACE_MS.RAPID_DEPLETION).to.equal(HOUR);
    const run = [label({ id: 'r', type: 'RAPID_DEPLETION', end: T0 + 40 * MIN })];
    const s = score('RAPID_DEPLETION', run, [
      at('RAPID_DEPLETION', T0 + 40 * MIN + HOUR),
      at('RAPID_DEPLETION', T0 + 40 * MIN + HOUR + 1),
    ]);
    expect(s).to.include({ tp: 1, fp: 1, recall: 1, median_delay_s: (40 * MIN + HOUR) / 1000 });
  });

  it('judges a data-quality rule once a day: a hit up to a day after the end counts, the ingestion gap two', () => {
    const dup = [label({ id: 'd', type: 'DQ_DUPLICATE_TRANSACTIONS' })];
    expect(score('DQ_DUPLICATE_TRANSACTIONS', dup, [at('DQ_DUPLICATE_TRANSACTIONS', T0 + DAY)])).to.include({
      tp: 1,
    });
    expect(
      score('DQ_DUPLICATE_TRANSACTIONS', dup, [at('DQ_DUPLICATE_TRANSACTIONS', T0 + DAY + 1)]),
    ).to.include({
      fp: 1,
    });
    const gap = [label({ id: 'g', type: 'DQ_INGESTION_GAP', sku: null, end: T0 + DAY })];
    const seen = {
      detector: 'DQ_INGESTION_GAP',
      at: T0 + 3 * DAY,
      places: [{ sku: null, warehouse_id: 'W1' }],
    };
    expect(score('DQ_INGESTION_GAP', gap, [seen])).to.include({ tp: 1, recall: 1 });
  });

  it('matches a warehouse-wide label to a detection anywhere in that warehouse, and a result that names no place to any label', () => {
    const gap = [label({ id: 'g', type: 'DQ_INGESTION_GAP', sku: null, end: T0 + DAY })];
    expect(score('DQ_INGESTION_GAP', gap, [at('DQ_INGESTION_GAP', T0 + HOUR, 'S9')])).to.include({ tp: 1 });
    expect(score('DQ_INGESTION_GAP', gap, [at('DQ_INGESTION_GAP', T0 + HOUR, 'S9', 'W2')])).to.include({
      fp: 1,
    });
    const cut = { detector: 'DQ_ON_HAND_MISMATCH', at: T0 + HOUR, places: null };
    const lost = [label({ id: 'm', type: 'DQ_ON_HAND_MISMATCH', end: null })];
    expect(score('DQ_ON_HAND_MISMATCH', lost, [cut])).to.include({ tp: 1 });
  });

  it('lets a label with no end last to the end of the data set (plus grace)', () => {
    const lost = [label({ id: 'm', type: 'DQ_ON_HAND_MISMATCH', end: null })];
    const late = [at('DQ_ON_HAND_MISMATCH', END), at('DQ_ON_HAND_MISMATCH', END + DAY + 1)];
    expect(score('DQ_ON_HAND_MISMATCH', lost, late)).to.include({ tp: 1, fp: 1 });
  });

  it('counts a stock-out warning within the lead time before the stock-out as an early hit (negative delay)', () => {
    const out = [label({ id: 's', type: 'STOCKOUT', end: T0 + 2 * DAY, early_ms: 5 * DAY })];
    const s = score('STOCKOUT', out, [at('STOCKOUT', T0 - 3 * DAY), at('STOCKOUT', T0 - 6 * DAY)]);
    expect(s).to.include({ tp: 1, fp: 1, recall: 1, median_delay_s: (-3 * DAY) / 1000 });
    const surge = [label({ id: 's', type: 'STOCKOUT', end: T0, early_ms: DAY, surge_start: T0 - 4 * DAY })];
    expect(score('LOW_STOCK', surge, [at('LOW_STOCK', T0 - 4 * DAY)])).to.include({ tp: 1, recall: 1 });
  });

  it('explains the stock-out alerts of books run behind from the first unbooked receipt, nothing else earlier', () => {
    // Receiving stopped booking 3 days before the books went below zero; they hit zero a day before.
    const negative = label({
      id: 'n',
      type: 'NEGATIVE_STOCK',
      start: T0,
      end: T0 + DAY,
      also: ['STOCKOUT_RISK'],
      withheld_at: T0 - 3 * DAY,
    });
    const stockout = score('STOCKOUT', [negative], [at('STOCKOUT', T0 - DAY), at('STOCKOUT', T0 - 4 * DAY)]);
    expect(stockout).to.include({ tp: 0, explained: 1, fp: 1 });
    const lowStock = score('LOW_STOCK', [negative], [at('LOW_STOCK', T0 - 2 * DAY)]);
    expect(lowStock).to.include({ explained: 1, fp: 0 });
    // The rule's own detection still counts from the first negative sale only.
    const own = score(
      'NEGATIVE_STOCK',
      [negative],
      [at('NEGATIVE_STOCK', T0 - DAY), at('NEGATIVE_STOCK', T0)],
    );
    expect(own).to.include({ tp: 1, fp: 1 });
  });

  it('matches a subject alert only to the label of its subject: an order, a shipment, an entity', () => {
    const on = (detector: string, t: number, subject: string): Detection => ({
      detector,
      at: t,
      places: [{ sku: null, warehouse_id: 'W1' }],
      subject,
    });
    const labels = [
      label({ id: 'a', type: 'SHIPMENT_EXCEPTION', subject: 'SHP-1', end: T0 + DAY }),
      label({ id: 'b', type: 'SHIPMENT_EXCEPTION', subject: 'SHP-2', sku: 'S2', end: T0 + DAY }),
    ];
    // An alert names the shipment and its warehouse but no SKU: the subject decides.
    const s = score('SHIPMENT_EXCEPTION', labels, [
      on('SHIPMENT_EXCEPTION', T0, 'SHP-1'),
      on('SHIPMENT_EXCEPTION', T0, 'SHP-9'),
    ]);
    expect(s).to.include({ tp: 1, fp: 1, fn: 1, detected_labels: 1 });
  });

  it('counts a late-dispatch warning from the order’s creation on as an early hit, and one after its dispatch as a false positive', () => {
    const late = label({
      id: 'o',
      type: 'LATE_DISPATCH',
      subject: 'ORDER-1',
      start: T0,
      end: T0 + 2 * HOUR,
      created_at: T0 - 3 * DAY,
    });
    const on = (t: number): Detection => ({
      detector: 'LATE_DISPATCH',
      at: t,
      places: [{ sku: null, warehouse_id: 'W1' }],
      subject: 'ORDER-1',
    });
    const early = score('LATE_DISPATCH', [late], [on(T0 - 5 * HOUR)]);
    expect(early).to.include({ tp: 1, fp: 0, median_delay_s: -5 * 3600 });
    expect(score('LATE_DISPATCH', [late], [on(T0 - 4 * DAY), on(T0 + 3 * HOUR)])).to.include({
      tp: 0,
      fp: 2,
    });
  });

  it('reports the first hit of each label for its delay, and the p95 over labels by nearest rank', () => {
    const labels = [1, 2, 3, 4].map((k) =>
      label({ id: `f${k}`, type: 'FREQUENCY_SPIKE', start: T0 + k * DAY, end: T0 + k * DAY + MIN }),
    );
    const detections = labels.flatMap((l, k) => [
      at('FREQUENCY_SPIKE', l.start + (k + 1) * 1000),
      at('FREQUENCY_SPIKE', l.start + 50_000),
    ]);
    const s = score('FREQUENCY_SPIKE', labels, detections);
    expect(s).to.include({ tp: 8, detected_labels: 4, median_delay_s: 2, p95_delay_s: 4 });
    expect(quantile([1, 2, 3], 0.5)).to.equal(2);
    expect(quantile([], 0.95)).to.equal(null);
  });
});
