import type { Knex } from 'knex';

/**
 * Pools with slots, priorities and DAG caps (README "Pools, priorities and why a task waits"):
 * - `pools`: one row per pool; `slots` NULL is unlimited, 0 grants nothing. `default` exists from
 *   the start; the pools DAG code names are added when the scheduler syncs the DAGs.
 * - `task_instances.pool_slots` (slots one try holds) and `priority_weight` (the task's weight
 *   after its weight rule), stored when the run is created; `scheduled_at` is when the trigger
 *   rule was met (the wait in `scheduled` counts from it).
 * - `dag_runs.priority`: a run-level tier granted before any weight (backfill runs get -1 by
 *   default, so production tasks go first); `dag_runs.max_active_tasks`: the DAG's cap on its
 *   active task instances, recorded with each run so that every process reads the same cap.
 * - `backfills.priority` is given to its runs; `next_start`, `skipped` and `waiting` let a backfill
 *   advance from where it stands instead of planning every interval of its range on each step.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE orchestrator.pools (
      name        text PRIMARY KEY,
      slots       integer CHECK (slots IS NULL OR slots >= 0),
      description text,
      updated_at  timestamptz NOT NULL DEFAULT now(),
      updated_by  text
    );
    INSERT INTO orchestrator.pools (name, description)
    VALUES ('default', 'tasks that name no pool');

    ALTER TABLE orchestrator.task_instances
      ADD COLUMN pool_slots integer NOT NULL DEFAULT 1 CHECK (pool_slots >= 1),
      ADD COLUMN priority_weight integer NOT NULL DEFAULT 1,
      ADD COLUMN scheduled_at timestamptz;
    CREATE INDEX task_instances_scheduled_idx ON orchestrator.task_instances (pool)
      WHERE state = 'scheduled';
    -- With the waiting and running indexes, the instances holding slots are read without a scan.
    CREATE INDEX task_instances_rescheduled_idx ON orchestrator.task_instances (pool)
      WHERE state = 'up_for_reschedule';

    ALTER TABLE orchestrator.dag_runs
      ADD COLUMN priority integer NOT NULL DEFAULT 0,
      ADD COLUMN max_active_tasks integer CHECK (max_active_tasks IS NULL OR max_active_tasks >= 1);

    ALTER TABLE orchestrator.backfills
      ADD COLUMN priority integer NOT NULL DEFAULT -1,
      ADD COLUMN next_start timestamptz,
      ADD COLUMN skipped integer NOT NULL DEFAULT 0,
      ADD COLUMN waiting timestamptz[] NOT NULL DEFAULT '{}';
    CREATE INDEX dag_runs_backfill_state_idx ON orchestrator.dag_runs (backfill_id, state)
      WHERE backfill_id IS NOT NULL;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    UPDATE orchestrator.task_instances SET state = 'none' WHERE state = 'scheduled';
    DROP INDEX orchestrator.dag_runs_backfill_state_idx;
    ALTER TABLE orchestrator.backfills
      DROP COLUMN priority, DROP COLUMN next_start, DROP COLUMN skipped, DROP COLUMN waiting;
    ALTER TABLE orchestrator.dag_runs DROP COLUMN priority, DROP COLUMN max_active_tasks;
    DROP INDEX orchestrator.task_instances_scheduled_idx;
    DROP INDEX orchestrator.task_instances_rescheduled_idx;
    ALTER TABLE orchestrator.task_instances
      DROP COLUMN pool_slots, DROP COLUMN priority_weight, DROP COLUMN scheduled_at;
    DROP TABLE orchestrator.pools;
  `);
}
