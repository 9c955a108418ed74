import type { Knex } from 'knex';

/**
 * Dynamic task mapping. A mapped task keeps one row per run, its parent, and gets one child row
 * per element of its upstream's list when it is expanded, task id `task[i]`:
 * - `map_parent`, `map_index` on a child: its parent's task id and its element's position;
 * - `map_count` on a parent: how many children its current expansion made (NULL while it has not
 *   been expanded, or since it was cleared; 0 for an empty list).
 * Children are task instances like any other (own tries, retries, logs, claims), so the
 * (run_id, task_id) key and every path keyed by it keep working.
 *
 * The parent's state follows its children, by trigger, in the statement that changes one: every
 * path (a try recorded, a cancel, a mark, a clear, the zombie sweep) keeps the two in step without
 * knowing of mapping. Only an expanded parent (`map_count` set) follows its children: one still
 * waiting or active → `running`; all final → `failed` if one failed, else `upstream_failed`,
 * `cancelled`, `skipped` (all of them) in that order, else `success`. engine/mapping.ts
 * (`aggregateMapped`) decides the same from the states a finishing try reads, so the two agree.
 * A child moving between two active states cannot change its parent and is left alone at once;
 * otherwise the parent row is locked first, so of two children ending side by side the second
 * counts after the first has committed and sees both.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE orchestrator.task_instances
      ADD COLUMN map_parent text,
      ADD COLUMN map_index integer,
      ADD COLUMN map_count integer,
      ADD CONSTRAINT task_instances_map_child_check CHECK ((map_parent IS NULL) = (map_index IS NULL)),
      ADD CONSTRAINT task_instances_map_count_check CHECK (map_count IS NULL OR map_count >= 0);
    CREATE INDEX task_instances_map_children_idx ON orchestrator.task_instances (run_id, map_parent, map_index)
      WHERE map_parent IS NOT NULL;

    CREATE FUNCTION orchestrator.sync_mapped_parent() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      parent record;
      counts record;
      next_state text;
      active constant text[] := ARRAY['none', 'scheduled', 'queued', 'running', 'up_for_retry',
                                      'up_for_reschedule'];
    BEGIN
      IF OLD.state = ANY(active) AND NEW.state = ANY(active) THEN
        RETURN NULL;
      END IF;
      SELECT state, map_count INTO parent FROM orchestrator.task_instances
       WHERE run_id = NEW.run_id AND task_id = NEW.map_parent
         FOR UPDATE;
      IF NOT FOUND OR parent.map_count IS NULL OR parent.state = 'none' THEN
        RETURN NULL;
      END IF;
      SELECT count(*) FILTER (WHERE state = ANY(active)) AS active,
             count(*) FILTER (WHERE state = 'failed') AS failed,
             count(*) FILTER (WHERE state = 'upstream_failed') AS upstream_failed,
             count(*) FILTER (WHERE state = 'cancelled') AS cancelled,
             count(*) FILTER (WHERE state = 'skipped') AS skipped,
             count(*) AS total
        INTO counts
        FROM orchestrator.task_instances
       WHERE run_id = NEW.run_id AND map_parent = NEW.map_parent;
      IF counts.total = 0 THEN
        RETURN NULL;
      END IF;
      next_state := CASE
        WHEN counts.active > 0 THEN 'running'
        WHEN counts.failed > 0 THEN 'failed'
        WHEN counts.upstream_failed > 0 THEN 'upstream_failed'
        WHEN counts.cancelled > 0 THEN 'cancelled'
        WHEN counts.skipped = counts.total THEN 'skipped'
        ELSE 'success' END;
      UPDATE orchestrator.task_instances
         SET state = next_state,
             ended_at = CASE WHEN next_state = 'running' THEN NULL ELSE clock_timestamp() END,
             error = CASE WHEN next_state = 'failed'
                          THEN format('%s of %s mapped instances failed', counts.failed, counts.total) END
       WHERE run_id = NEW.run_id AND task_id = NEW.map_parent AND state <> next_state;
      RETURN NULL;
    END $$;

    CREATE TRIGGER task_instances_sync_mapped_parent
      AFTER UPDATE OF state ON orchestrator.task_instances
      FOR EACH ROW WHEN (NEW.map_parent IS NOT NULL AND NEW.state IS DISTINCT FROM OLD.state)
      EXECUTE FUNCTION orchestrator.sync_mapped_parent();
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DROP TRIGGER task_instances_sync_mapped_parent ON orchestrator.task_instances;
    DROP FUNCTION orchestrator.sync_mapped_parent();
    DELETE FROM orchestrator.task_logs l USING orchestrator.task_instances ti
     WHERE l.run_id = ti.run_id AND l.task_id = ti.task_id AND ti.map_parent IS NOT NULL;
    DELETE FROM orchestrator.task_instances WHERE map_parent IS NOT NULL;
    ALTER TABLE orchestrator.task_instances
      DROP COLUMN map_parent, DROP COLUMN map_index, DROP COLUMN map_count;
  `);
}
