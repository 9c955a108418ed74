import type { Knex } from 'knex';

/**
 * Alerts become incidents (inventory/alerts/LIFECYCLE in docs/SPEC.md §5a): at most one open
 * alert per dedup key, enforced by a partial unique index that every writer's
 * `INSERT … ON CONFLICT` names. A repeat detection updates the open row (`last_seen_at`,
 * `occurrences`, the highest severity); the condition clearing resolves it (`resolved_at`,
 * `resolution`). `opened_at`/`last_seen_at` are the lifecycle's clock (event time for the
 * stream, the run's instant for the DAGs); `created_at` stays the wall-clock insert time.
 *
 * On a populated database, keys with several open rows are collapsed first: the newest row stays
 * open and takes the group's first opening and its row count as occurrences, the older ones are
 * resolved now with resolution `superseded`.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE analytics.alerts
      ADD COLUMN opened_at timestamptz,
      ADD COLUMN last_seen_at timestamptz,
      ADD COLUMN occurrences integer NOT NULL DEFAULT 1 CHECK (occurrences >= 1),
      ADD COLUMN acknowledged_by text,
      ADD COLUMN resolution text
        CHECK (resolution IN ('cleared', 'quiet', 'passed', 'superseded'));
    UPDATE analytics.alerts SET opened_at = created_at, last_seen_at = created_at;
    UPDATE analytics.alerts SET resolution = 'cleared' WHERE resolved_at IS NOT NULL;

    WITH ranked AS (
      SELECT id, dedup_key, created_at,
             row_number() OVER w AS newest_first, count(*) OVER (PARTITION BY dedup_key) AS n,
             min(created_at) OVER (PARTITION BY dedup_key) AS first_at
        FROM analytics.alerts WHERE resolved_at IS NULL
      WINDOW w AS (PARTITION BY dedup_key ORDER BY created_at DESC, id DESC)
    ), kept AS (
      UPDATE analytics.alerts a SET opened_at = r.first_at, occurrences = r.n
        FROM ranked r WHERE a.id = r.id AND r.newest_first = 1 AND r.n > 1
    )
    UPDATE analytics.alerts a SET resolved_at = now(), resolution = 'superseded'
      FROM ranked r WHERE a.id = r.id AND r.newest_first > 1;

    ALTER TABLE analytics.alerts
      ALTER COLUMN opened_at SET DEFAULT now(), ALTER COLUMN opened_at SET NOT NULL,
      ALTER COLUMN last_seen_at SET DEFAULT now(), ALTER COLUMN last_seen_at SET NOT NULL;
    CREATE UNIQUE INDEX alerts_open_dedup_key ON analytics.alerts (dedup_key) WHERE resolved_at IS NULL;
    CREATE INDEX alerts_opened_idx ON analytics.alerts (opened_at);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DROP INDEX analytics.alerts_opened_idx;
    DROP INDEX analytics.alerts_open_dedup_key;
    ALTER TABLE analytics.alerts
      DROP COLUMN opened_at, DROP COLUMN last_seen_at, DROP COLUMN occurrences,
      DROP COLUMN acknowledged_by, DROP COLUMN resolution;
  `);
}
