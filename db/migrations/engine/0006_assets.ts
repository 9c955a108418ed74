import type { Knex } from 'knex';

/**
 * Assets (SPEC §6 notes, README "Assets and asset-triggered DAGs"):
 * - `assets`: every asset a loaded DAG declares, with its partitioning; `asset_declarations` who
 *   declares it how (a task's `outlet` or `inlet`, a DAG's `on_assets` trigger or `wait_for` gate),
 *   re-synced per DAG at startup like `dags`: lineage comes from these, never from guesses.
 * - `asset_events`: one row per outlet of a task try that succeeded, written in the statement
 *   that records the success, with the run, task and try that produced it.
 * - `asset_triggers`: which events an `asset_triggered` run consumed. The key (dag_id, event_id)
 *   makes consumption exactly-once, however many schedulers race.
 * `dag_runs.run_type` gains `asset_triggered`.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE orchestrator.assets (
      asset_key    text PRIMARY KEY,
      partitioning text CHECK (partitioning IN ('daily', 'weekly')),
      description  text,
      last_seen_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE orchestrator.asset_declarations (
      asset_key text NOT NULL REFERENCES orchestrator.assets (asset_key) ON DELETE CASCADE,
      dag_id    text NOT NULL,
      task_id   text NOT NULL DEFAULT '',
      role      text NOT NULL CHECK (role IN ('outlet', 'inlet', 'on_assets', 'wait_for')),
      PRIMARY KEY (asset_key, dag_id, task_id, role)
    );
    CREATE INDEX asset_declarations_dag_idx ON orchestrator.asset_declarations (dag_id);

    CREATE TABLE orchestrator.asset_events (
      id            bigserial PRIMARY KEY,
      asset_key     text NOT NULL,
      partition_key text NOT NULL DEFAULT '',
      run_id        bigint REFERENCES orchestrator.dag_runs (id) ON DELETE SET NULL,
      dag_id        text,
      task_id       text,
      try_number    integer,
      rows          bigint,
      created_at    timestamptz NOT NULL DEFAULT clock_timestamp()
    );
    CREATE INDEX asset_events_partition_idx ON orchestrator.asset_events (asset_key, partition_key, id);
    CREATE INDEX asset_events_recent_idx ON orchestrator.asset_events (asset_key, id DESC);
    CREATE INDEX asset_events_run_idx ON orchestrator.asset_events (run_id);

    CREATE TABLE orchestrator.asset_triggers (
      dag_id   text NOT NULL,
      event_id bigint NOT NULL REFERENCES orchestrator.asset_events (id) ON DELETE CASCADE,
      run_id   bigint NOT NULL REFERENCES orchestrator.dag_runs (id) ON DELETE CASCADE,
      PRIMARY KEY (dag_id, event_id)
    );
    CREATE INDEX asset_triggers_run_idx ON orchestrator.asset_triggers (run_id);
    CREATE INDEX asset_triggers_event_idx ON orchestrator.asset_triggers (event_id);

    ALTER TABLE orchestrator.dag_runs DROP CONSTRAINT dag_runs_run_type_check;
    ALTER TABLE orchestrator.dag_runs ADD CONSTRAINT dag_runs_run_type_check
      CHECK (run_type IN ('scheduled', 'manual', 'backfill', 'asset_triggered'));
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DELETE FROM orchestrator.dag_runs WHERE run_type = 'asset_triggered';
    ALTER TABLE orchestrator.dag_runs DROP CONSTRAINT dag_runs_run_type_check;
    ALTER TABLE orchestrator.dag_runs ADD CONSTRAINT dag_runs_run_type_check
      CHECK (run_type IN ('scheduled', 'manual', 'backfill'));
    DROP TABLE orchestrator.asset_triggers;
    DROP TABLE orchestrator.asset_events;
    DROP TABLE orchestrator.asset_declarations;
    DROP TABLE orchestrator.assets;
  `);
}
