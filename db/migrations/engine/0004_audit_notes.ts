import type { Knex } from 'knex';

/**
 * `audit_log`: one row per change made by hand (trigger, clear, mark, pause, backfill, note, DLQ
 * replay, users …) or refused to someone identified: who (`actor`), through what (`source`: the
 * dashboard's pages `ui`, its JSON `api`, or the `cli`), what (`action`, e.g. `run.clear`), on what
 * (`dag_id`, `run_id`, `task_id`, and `detail` for the rest) and how it ended (`outcome`). It has
 * no foreign keys: an entry outlives the run or DAG it names. Never holds a secret.
 *
 * `dag_run_notes`: a free-text note per run (Airflow's `dag_run_note`), at most 4,000 characters.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE orchestrator.audit_log (
      id       bigserial PRIMARY KEY,
      at       timestamptz NOT NULL DEFAULT now(),
      actor    text NOT NULL CHECK (char_length(actor) BETWEEN 1 AND 200),
      source   text NOT NULL CHECK (source IN ('ui', 'api', 'cli')),
      action   text NOT NULL CHECK (action ~ '^[a-z_]+\\.[a-z_]+$'),
      dag_id   text,
      run_id   bigint,
      task_id  text,
      detail   jsonb NOT NULL DEFAULT '{}',
      outcome  text NOT NULL DEFAULT 'ok' CHECK (outcome IN ('ok', 'failed', 'refused'))
    );
    CREATE INDEX audit_log_at ON orchestrator.audit_log (at DESC, id DESC);
    CREATE INDEX audit_log_actor ON orchestrator.audit_log (actor, at DESC);
    CREATE INDEX audit_log_action ON orchestrator.audit_log (action, at DESC);

    CREATE TABLE orchestrator.dag_run_notes (
      run_id      bigint PRIMARY KEY REFERENCES orchestrator.dag_runs (id) ON DELETE CASCADE,
      note        text NOT NULL CHECK (char_length(note) BETWEEN 1 AND 4000),
      updated_by  text NOT NULL,
      updated_at  timestamptz NOT NULL DEFAULT now()
    );
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DROP TABLE orchestrator.dag_run_notes;
    DROP TABLE orchestrator.audit_log;
  `);
}
