import { expect } from 'chai';
import { EVENT_TYPES, eventKey, type EventType } from '../../inventory/events/index.js';
import {
  generateHistory,
  generateMasterData,
  liveEvents,
  naturalRate,
  writeMasterData,
  type LiveLevel,
  type MasterData as GeneratedMaster,
} from '../../inventory/generator/index.js';
import { createLogger } from '../../platform/index.js';
import { detectAnomalies, MasterData, PairState } from '../../streaming/pipeline/index.js';
import { ANOMALY_RULES as RULES, ANOMALY_TYPES, type AnomalyType } from '../../inventory/rules/index.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

const DAY = 86_400_000;
/** A Monday: the history covers eight full weeks, weekends and a month boundary included. */
const FROM = Date.parse('2025-03-03T00:00:00Z');
const HISTORY_DAYS = 56;
const LIVE_DAYS = 7;

interface Applied {
  eventType: string;
  sku: string;
  warehouseId: string;
  quantityChange: number;
  occurredAt: Date;
}

/**
 * The sidecar's per-event detection (streaming/ingest.ts, step 5) without Kafka and PostgreSQL
 * writes: one PairState per pair, the enrichment context of the real master-data cache, and
 * `detectAnomalies` on every event in order. Counts what fired, per rule.
 */
class Detection {
  readonly pairs = new Map<string, PairState>();
  readonly fired = Object.fromEntries(ANOMALY_TYPES.map((t) => [t, 0])) as Record<AnomalyType, number>;
  readonly examples: string[] = [];
  events = 0;
  /** Events a volume rule judged, i.e. with at least RULES.minHistory earlier changes of their type. */
  judgedByVolume = 0;
  readonly types = new Set<string>();
  first = Infinity;
  last = -Infinity;

  constructor(private readonly master: MasterData) {}

  state(sku: string, warehouseId: string): PairState {
    const key = eventKey({ sku, warehouseId });
    let s = this.pairs.get(key);
    if (!s) this.pairs.set(key, (s = new PairState(sku, warehouseId)));
    return s;
  }

  apply(e: Applied): void {
    const state = this.state(e.sku, e.warehouseId);
    if ((state.changes(e.eventType)?.length ?? 0) >= RULES.minHistory) this.judgedByVolume++;
    const ctx = this.master.context(e.sku, e.warehouseId, e.occurredAt)!;
    for (const f of detectAnomalies(state, e, ctx)) {
      this.fired[f.type]++;
      if (this.examples.length < 5) {
        this.examples.push(
          `${f.type}: ${e.eventType} ${e.quantityChange} ${e.sku}@${e.warehouseId} ${e.occurredAt.toISOString()} ${JSON.stringify(f.details)}`,
        );
      }
    }
    this.events++;
    this.types.add(e.eventType);
    this.first = Math.min(this.first, e.occurredAt.getTime());
    this.last = Math.max(this.last, e.occurredAt.getTime());
  }
}

const none = Object.fromEntries(ANOMALY_TYPES.map((t) => [t, 0]));

describe('streaming: ordinary generated traffic raises no anomaly', function () {
  this.timeout(120_000);
  let db: TestDatabase;
  let generated: GeneratedMaster;
  let master: MasterData;
  let history: Detection;
  let levels: LiveLevel[];

  before(async function () {
    db = await createTestDatabase();
    // Five sites: one open around the week, others closed at weekends, in five time zones.
    generated = generateMasterData({ seed: 11, skus: 30, warehouses: 5 });
    await writeMasterData(db.knex, generated);
    master = new MasterData(db.knex, createLogger({ level: 'silent', name: 'normal-traffic' }));
    await master.start();

    // The backfill: each pair's opening stock count is where its state starts (as the sidecar
    // reads levels and ledger back); every later row goes through the detectors.
    history = new Detection(master);
    levels = [];
    for (const batch of generateHistory({
      seed: 11,
      master: generated,
      from: FROM,
      to: FROM + HISTORY_DAYS * DAY,
    })) {
      for (const r of batch.transactions) {
        const e = {
          eventType: r.event_type,
          sku: r.sku,
          warehouseId: r.warehouse_id,
          quantityChange: r.quantity_change,
          occurredAt: r.occurred_at,
        };
        if (r.reference_id === 'STOCKTAKE-OPENING')
          history.state(r.sku, r.warehouse_id).observe(e.eventType, e.quantityChange, e.occurredAt.getTime());
        else history.apply(e);
      }
      for (const l of batch.levels) {
        levels.push({
          sku: l.sku,
          warehouseId: l.warehouse_id,
          onHand: l.quantity_on_hand,
          reserved: l.quantity_reserved,
        });
      }
    }
  });

  after(async function () {
    master?.close();
    await db?.drop();
  });

  it(`in ${HISTORY_DAYS} days of backfilled history over 150 pairs`, function () {
    expect(history.fired, history.examples.join('\n')).to.deep.equal(none);
    // Not vacuous: every pair traded, most events had a volume history to be judged against.
    expect(history.pairs.size).to.equal(150);
    expect(history.events).to.be.greaterThan(20_000);
    expect(history.judgedByVolume / history.events).to.be.greaterThan(0.5);
    expect([...history.types].sort()).to.deep.equal(
      EVENT_TYPES.filter((t) => t !== 'INVENTORY_UPDATE').sort(),
    );
  });

  it(`in the live stream that follows it for ${LIVE_DAYS} days, at the rate where event time is simulated time`, function () {
    const start = FROM + HISTORY_DAYS * DAY;
    const rate = naturalRate(generated);
    // Each event of the live stream continues the pair's state from the history.
    const live = new Detection(master);
    for (const [key, state] of history.pairs) live.pairs.set(key, state);
    for (const e of liveEvents({ seed: 11, master: generated, start, rate, levels })) {
      const occurredAt = new Date(e.timestamp);
      if (occurredAt.getTime() >= start + LIVE_DAYS * DAY) break;
      live.apply({ ...e, occurredAt });
    }
    expect(live.fired, live.examples.join('\n')).to.deep.equal(none);
    expect(live.events).to.be.greaterThan(3_000);
    expect(live.last - live.first).to.be.greaterThan((LIVE_DAYS - 1) * DAY);
    expect(live.judgedByVolume / live.events).to.be.greaterThan(0.5);
    const seen = new Set<EventType>([...live.types] as EventType[]);
    for (const t of [
      'SALE',
      'RESTOCK',
      'RETURN',
      'ADJUSTMENT',
      'RESERVATION',
      'RESERVATION_RELEASE',
    ] as const)
      expect(seen.has(t), t).to.equal(true);
  });

  it('and a time-lapse of it (100 events/s) trips none of the rules that judge a single event', function () {
    // At 100 events/s an hour of event time holds weeks of trade: the rules over an hour and a
    // minute (RAPID_DEPLETION, FREQUENCY_SPIKE) rightly see that as fast. Sizes, values, hours
    // and stock stay ordinary, so the other six stay silent.
    const lapse = new Detection(master);
    for (const l of levels)
      Object.assign(lapse.state(l.sku, l.warehouseId), { onHand: l.onHand, reserved: l.reserved });
    let n = 0;
    for (const e of liveEvents({
      seed: 12,
      master: generated,
      start: FROM + HISTORY_DAYS * DAY,
      rate: 100,
      levels,
    })) {
      lapse.apply({ ...e, occurredAt: new Date(e.timestamp) });
      if (++n === 50_000) break;
    }
    const perEvent = ANOMALY_TYPES.filter((t) => t !== 'RAPID_DEPLETION' && t !== 'FREQUENCY_SPIKE');
    expect(
      Object.fromEntries(perEvent.map((t) => [t, lapse.fired[t]])),
      lapse.examples.join('\n'),
    ).to.deep.equal(Object.fromEntries(perEvent.map((t) => [t, 0])));
    expect(lapse.judgedByVolume).to.be.greaterThan(25_000);
  });
});
