import type { Knex } from 'knex';

/**
 * The orchestrator's state store. Schedules, runs and task states live here (not in BullMQ):
 * BullMQ only carries "run this try of this task instance" messages, so Redis can lose a job
 * and the scheduler's sweep re-enqueues it from these rows.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE SCHEMA IF NOT EXISTS orchestrator;

    -- One row per DAG the scheduler has seen; holds what operators change (paused).
    CREATE TABLE orchestrator.dags (
      dag_id       text PRIMARY KEY,
      is_paused    boolean NOT NULL DEFAULT false,
      schedule     text,
      timezone     text NOT NULL DEFAULT 'UTC',
      description  text,
      tags         text[] NOT NULL DEFAULT '{}',
      paused_at    timestamptz,
      last_seen_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE orchestrator.backfills (
      id          bigserial PRIMARY KEY,
      dag_id      text NOT NULL,
      from_date   timestamptz NOT NULL,
      to_date     timestamptz NOT NULL,
      concurrency integer NOT NULL CHECK (concurrency > 0),
      reset       boolean NOT NULL DEFAULT false,
      conf        jsonb NOT NULL DEFAULT '{}',
      state       text NOT NULL DEFAULT 'running' CHECK (state IN ('running','success','failed','cancelled')),
      total       integer NOT NULL DEFAULT 0,
      created_at  timestamptz NOT NULL DEFAULT now(),
      ended_at    timestamptz
    );
    CREATE INDEX backfills_running_idx ON orchestrator.backfills (dag_id) WHERE state = 'running';

    CREATE TABLE orchestrator.dag_runs (
      id                  bigserial PRIMARY KEY,
      dag_id              text NOT NULL,
      run_type            text NOT NULL CHECK (run_type IN ('scheduled','manual','backfill')),
      logical_date        timestamptz NOT NULL,
      data_interval_start timestamptz NOT NULL,
      data_interval_end   timestamptz NOT NULL,
      state               text NOT NULL DEFAULT 'running' CHECK (state IN ('running','success','failed')),
      conf                jsonb NOT NULL DEFAULT '{}',
      backfill_id         bigint REFERENCES orchestrator.backfills (id) ON DELETE SET NULL,
      created_at          timestamptz NOT NULL DEFAULT now(),
      started_at          timestamptz NOT NULL DEFAULT now(),
      ended_at            timestamptz,
      sla_missed_at       timestamptz,
      -- Exactly one run per interval, however many schedulers race (SPEC §4).
      UNIQUE (dag_id, logical_date),
      CHECK (data_interval_start <= data_interval_end)
    );
    CREATE INDEX dag_runs_active_idx ON orchestrator.dag_runs (dag_id, run_type) WHERE state = 'running';
    CREATE INDEX dag_runs_backfill_idx ON orchestrator.dag_runs (backfill_id) WHERE backfill_id IS NOT NULL;
    CREATE INDEX dag_runs_recent_idx ON orchestrator.dag_runs (dag_id, logical_date DESC);

    -- try_number: the try running or last run (0 before the first); max_tries: the last try allowed.
    CREATE TABLE orchestrator.task_instances (
      run_id       bigint NOT NULL REFERENCES orchestrator.dag_runs (id) ON DELETE CASCADE,
      task_id      text NOT NULL,
      dag_id       text NOT NULL,
      state        text NOT NULL DEFAULT 'none' CHECK (state IN
                     ('none','queued','running','success','failed','up_for_retry','upstream_failed','skipped')),
      pool         text NOT NULL,
      try_number   integer NOT NULL DEFAULT 0,
      max_tries    integer NOT NULL,
      output       jsonb,
      error        text,
      worker_id    text,
      queued_at    timestamptz,
      started_at   timestamptz,
      heartbeat_at timestamptz,
      ended_at     timestamptz,
      next_try_at  timestamptz,
      PRIMARY KEY (run_id, task_id)
    );
    CREATE INDEX task_instances_waiting_idx ON orchestrator.task_instances (queued_at)
      WHERE state IN ('queued', 'up_for_retry');
    CREATE INDEX task_instances_running_idx ON orchestrator.task_instances (heartbeat_at)
      WHERE state = 'running';

    CREATE TABLE orchestrator.task_logs (
      id         bigserial PRIMARY KEY,
      run_id     bigint NOT NULL REFERENCES orchestrator.dag_runs (id) ON DELETE CASCADE,
      task_id    text NOT NULL,
      try_number integer NOT NULL,
      logged_at  timestamptz NOT NULL DEFAULT now(),
      level      text NOT NULL,
      message    text NOT NULL,
      fields     jsonb NOT NULL DEFAULT '{}'
    );
    CREATE INDEX task_logs_instance_idx ON orchestrator.task_logs (run_id, task_id, try_number, id);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP SCHEMA IF EXISTS orchestrator CASCADE');
}
