import type { Knex } from 'knex';
import { bind } from '../../../db/index.js';
import type { IncidentLabel } from '../labels.js';

/**
 * Removes the labels of `skus × warehouseIds` and the warehouse-wide labels of `warehouseIds`,
 * as their history is about to be replaced. Returns how many were removed.
 */
export async function deleteIncidentLabels(
  knex: Knex,
  skus: readonly string[],
  warehouseIds: readonly string[],
): Promise<number> {
  if (warehouseIds.length === 0) return 0;
  const result = await knex.raw<{ rowCount: number }>(
    `DELETE FROM inventory.incident_labels
     WHERE warehouse_id = ANY(?::text[]) AND (sku IS NULL OR sku = ANY(?::text[]))`,
    bind(warehouseIds, skus),
  );
  return result.rowCount;
}

/** Inserts labels in one statement per 5,000. */
export async function insertIncidentLabels(knex: Knex, labels: readonly IncidentLabel[]): Promise<void> {
  for (let i = 0; i < labels.length; i += 5000) {
    const chunk = labels.slice(i, i + 5000);
    await knex.raw(
      `INSERT INTO inventory.incident_labels
         (incident_id, incident_type, sku, warehouse_id, started_at, ended_at, detail)
       SELECT * FROM unnest(?::uuid[], ?::text[], ?::text[], ?::text[], ?::timestamptz[], ?::timestamptz[], ?::jsonb[])`,
      bind(
        chunk.map((l) => l.incident_id),
        chunk.map((l) => l.type),
        chunk.map((l) => l.sku),
        chunk.map((l) => l.warehouse_id),
        chunk.map((l) => l.start),
        chunk.map((l) => l.end),
        chunk.map((l) => JSON.stringify(l.detail)),
      ),
    );
  }
}
