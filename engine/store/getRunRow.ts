import type { Knex } from 'knex';
import type { DagRunRow } from './types.js';

/** One run row, or undefined when there is no run with that id. */
export async function getRunRow(knex: Knex, runId: number): Promise<DagRunRow | undefined> {
  return knex<DagRunRow>('orchestrator.dag_runs').where('id', runId).first();
}
