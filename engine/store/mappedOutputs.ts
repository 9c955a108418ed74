/**
 * SQL for what a mapped task's parent row `alias` hands downstream: the outputs of its instances
 * in index order, null where one did not succeed (`[]` for none). Read when needed rather than
 * stored on the parent, so an instance cleared and run again is seen with its new output.
 */
export function mappedOutputsSql(alias: string): string {
  return `(SELECT coalesce(jsonb_agg(CASE WHEN c.state = 'success' THEN c.output END ORDER BY c.map_index), '[]'::jsonb)
             FROM orchestrator.task_instances c
            WHERE c.run_id = ${alias}.run_id AND c.map_parent = ${alias}.task_id)`;
}

/** A task instance's output as its downstream tasks read it: the list of a mapped task's outputs. */
export function downstreamOutputSql(alias: string): string {
  return `CASE WHEN ${alias}.map_count IS NOT NULL THEN ${mappedOutputsSql(alias)}
               WHEN ${alias}.state = 'success' THEN ${alias}.output END`;
}
