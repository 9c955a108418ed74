import type { Knex } from 'knex';

/**
 * `task_logs` loses its foreign key to `dag_runs`; a run's lines still go when the run does.
 * Every line is written by a statement that writes its task instance in the same breath (queued,
 * started, ended) or by the worker running the try, so the key checked nothing those did not
 * already hold, and checking it cost a look-up of the run and a share lock on its row per line
 * (three lines or more per task). A statement-level trigger deletes the lines of deleted runs,
 * as the key's `ON DELETE CASCADE` did.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE orchestrator.task_logs DROP CONSTRAINT task_logs_run_id_fkey;
    CREATE FUNCTION orchestrator.delete_task_logs_of_runs() RETURNS trigger
      LANGUAGE plpgsql AS $$
    BEGIN
      DELETE FROM orchestrator.task_logs l USING deleted_runs d WHERE l.run_id = d.id;
      RETURN NULL;
    END $$;
    CREATE TRIGGER dag_runs_delete_task_logs AFTER DELETE ON orchestrator.dag_runs
      REFERENCING OLD TABLE AS deleted_runs
      FOR EACH STATEMENT EXECUTE FUNCTION orchestrator.delete_task_logs_of_runs();
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DROP TRIGGER dag_runs_delete_task_logs ON orchestrator.dag_runs;
    DROP FUNCTION orchestrator.delete_task_logs_of_runs();
    DELETE FROM orchestrator.task_logs l
     WHERE NOT EXISTS (SELECT 1 FROM orchestrator.dag_runs r WHERE r.id = l.run_id);
    ALTER TABLE orchestrator.task_logs
      ADD CONSTRAINT task_logs_run_id_fkey FOREIGN KEY (run_id)
      REFERENCES orchestrator.dag_runs (id) ON DELETE CASCADE;
  `);
}
