import type { QualityRule } from './rule.js';

/** Width of the time slots in which opening hours are counted. */
const SLOT_MINUTES = 5;

/**
 * SQL counting the `SLOT_MINUTES` slots in [from, to) during which warehouse `w` is open: a
 * working day (or any day, with weekend operation) and within its business hours, both in the
 * warehouse's own time zone. A site closed at night or at weekends expects no trade then, so
 * silence there is not a fault.
 */
function openSlots(w: string, from: string, to: string): string {
  const local = `(s.ts AT TIME ZONE ${w}.timezone)`;
  return `(SELECT count(*) FROM generate_series(${from}, ${to} - interval '1 microsecond', interval '${SLOT_MINUTES} minutes') s(ts)
           WHERE (${w}.weekend_operation OR extract(isodow FROM ${local}) < 6)
             AND ${local}::time >= ${w}.business_hours_start
             AND ${local}::time < ${w}.business_hours_end)`;
}

export const freshnessRules: QualityRule[] = [
  {
    id: 'stale_data',
    group: 'freshness',
    description:
      'No transaction from any warehouse for staleAfterMinutes of the time in which at least one warehouse is open',
    failing: `
      WITH newest AS (
        -- Within the 7 days the rule judges (the partitions of that week only); older or none
        -- fails it either way, and the levels' newest event time then shows how old.
        SELECT coalesce(
                 (SELECT max(occurred_at) FROM inventory.inventory_transactions
                   WHERE occurred_at < :end AND occurred_at >= :end7d),
                 (SELECT max(last_event_at) FROM inventory.inventory_levels WHERE last_event_at < :end)) AS at
      ), silence AS (
        SELECT n.at AS newest,
               (SELECT count(*) FROM generate_series(greatest(n.at, :end::timestamptz - interval '7 days'),
                                                     :end::timestamptz - interval '1 microsecond',
                                                     interval '${SLOT_MINUTES} minutes') s(ts)
                WHERE EXISTS (SELECT 1 FROM inventory.warehouses w
                              WHERE (w.weekend_operation OR extract(isodow FROM s.ts AT TIME ZONE w.timezone) < 6)
                                AND (s.ts AT TIME ZONE w.timezone)::time >= w.business_hours_start
                                AND (s.ts AT TIME ZONE w.timezone)::time < w.business_hours_end)
               ) * ${SLOT_MINUTES} AS open_minutes_silent
        FROM newest n
      )
      SELECT newest, :end::timestamptz - newest AS age, open_minutes_silent FROM silence
      WHERE newest IS NULL OR newest < :end::timestamptz - interval '7 days'
         OR open_minutes_silent >= :staleAfterMinutes`,
    checked: 'SELECT 1 AS n',
  },
  {
    id: 'ingestion_gap',
    group: 'freshness',
    description:
      'A warehouse active in the last 30 days has recorded nothing for gapOpenHours of its opening time, in which its own rate of the week before would have brought gapExpectedEvents or more',
    failing: `
      WITH last_seen AS (
        -- A warehouse silent for 30 days is not judged, so its newest row is looked for (and its
        -- week before it counted) in the partitions of the last 37 days only.
        SELECT w.*, (SELECT max(occurred_at) FROM inventory.inventory_transactions t
                     WHERE t.warehouse_id = w.warehouse_id AND t.occurred_at < :end
                       AND t.occurred_at >= :end30d) AS last_at
        FROM inventory.warehouses w
      ), silence AS (
        SELECT w.warehouse_id, w.last_at,
               (SELECT count(*) FROM inventory.inventory_transactions t
                WHERE t.warehouse_id = w.warehouse_id
                  AND t.occurred_at > w.last_at - interval '7 days' AND t.occurred_at <= w.last_at
                  AND t.occurred_at > :end37d) AS week_events,
               ${openSlots('w', "w.last_at - interval '7 days'", 'w.last_at')} AS week_slots,
               ${openSlots('w', 'w.last_at', ':end::timestamptz')} AS silent_slots
        FROM last_seen w
        WHERE w.last_at >= :end::timestamptz - interval '30 days'
      )
      SELECT warehouse_id, last_at AS last_transaction_at,
             round(silent_slots * ${SLOT_MINUTES} / 60.0, 1) AS silent_open_hours,
             round(week_events::numeric * silent_slots / greatest(week_slots, 1), 1) AS expected_events
      FROM silence
      WHERE silent_slots * ${SLOT_MINUTES} >= :gapOpenHours * 60
        AND week_events::numeric * silent_slots / greatest(week_slots, 1) >= :gapExpectedEvents
      ORDER BY warehouse_id`,
    checked: 'SELECT count(*) AS n FROM inventory.warehouses',
  },
];
