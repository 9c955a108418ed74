import type { Knex } from 'knex';

/**
 * `task_instances.try_key` names one try of one task instance across databases: PostgreSQL draws a
 * fresh random key whenever a try is created (a row inserted, or `try_number` changed by any
 * statement), and the try's BullMQ job id carries it. Run ids and try numbers start over on a
 * re-created or restored database while Redis keeps the jobs it completed; a key drawn at the
 * try's creation does not, so a new try never meets the id of a job Redis retained. The same try
 * keeps its key, so enqueuing it twice still adds one job.
 *
 * `task_logs.source` tells a task's own lines (`task`) from the engine's events on the try
 * (`engine`: queued, started, retried, failed, succeeded, timed out, marked, cleared).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE orchestrator.task_instances ADD COLUMN try_key uuid NOT NULL DEFAULT gen_random_uuid();

    CREATE FUNCTION orchestrator.new_try_key() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      NEW.try_key := gen_random_uuid();
      RETURN NEW;
    END $$;

    -- Fires only for statements that set try_number, and only when it changes.
    CREATE TRIGGER task_instances_new_try_key
      BEFORE UPDATE OF try_number ON orchestrator.task_instances
      FOR EACH ROW WHEN (NEW.try_number IS DISTINCT FROM OLD.try_number)
      EXECUTE FUNCTION orchestrator.new_try_key();

    ALTER TABLE orchestrator.task_logs ADD COLUMN source text NOT NULL DEFAULT 'task'
      CHECK (source IN ('task', 'engine'));
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE orchestrator.task_logs DROP COLUMN source;
    DROP TRIGGER task_instances_new_try_key ON orchestrator.task_instances;
    DROP FUNCTION orchestrator.new_try_key();
    ALTER TABLE orchestrator.task_instances DROP COLUMN try_key;
  `);
}
