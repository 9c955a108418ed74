import type { Knex } from '../../../platform/index.js';

export interface LoadedStockFile {
  fileName: string;
  sha256: string;
  /** The run that loaded it (null under `tasks test`). */
  runId: number | null;
  rows: Array<{
    line: number;
    sku: string;
    warehouseId: string;
    quantity: number;
    availableOn: string | null;
  }>;
  rejects: Array<{ line: number; reason: string; text: string }>;
}

/**
 * Stores one supplier file in one transaction: its row in `supplier_stock_files` (with the
 * rejected lines) and its valid rows, replacing whatever a file of the same name loaded before —
 * so loading a file twice (a retry after a crash, a file re-sent under its name) leaves the rows
 * of its last version and nothing twice. Returns the rows written.
 */
export async function replaceStockFile(knex: Knex, file: LoadedStockFile): Promise<number> {
  return knex.transaction(async (trx) => {
    await trx.raw(
      `INSERT INTO inventory.supplier_stock_files
         (file_name, sha256, rows_loaded, rows_rejected, rejects, run_id, loaded_at)
       VALUES (?, ?, ?, ?, ?::jsonb, ?, clock_timestamp())
       ON CONFLICT (file_name) DO UPDATE SET
         sha256 = EXCLUDED.sha256, rows_loaded = EXCLUDED.rows_loaded,
         rows_rejected = EXCLUDED.rows_rejected, rejects = EXCLUDED.rejects,
         run_id = EXCLUDED.run_id, loaded_at = EXCLUDED.loaded_at`,
      [
        file.fileName,
        file.sha256,
        file.rows.length,
        file.rejects.length,
        JSON.stringify(file.rejects),
        file.runId,
      ],
    );
    await trx.raw('DELETE FROM inventory.supplier_stock WHERE file_name = ?', [file.fileName]);
    const { rowCount } = await trx.raw(
      `INSERT INTO inventory.supplier_stock
         (file_name, line_no, sku, warehouse_id, quantity, available_on, loaded_at)
       SELECT ?, r.line, r.sku, r.warehouse_id, r.quantity, r.available_on, f.loaded_at
         FROM jsonb_to_recordset(?::jsonb)
           AS r(line int, sku text, warehouse_id text, quantity int, available_on date)
         JOIN inventory.supplier_stock_files f ON f.file_name = ?`,
      [
        file.fileName,
        JSON.stringify(
          file.rows.map((r) => ({
            line: r.line,
            sku: r.sku,
            warehouse_id: r.warehouseId,
            quantity: r.quantity,
            available_on: r.availableOn,
          })),
        ),
        file.fileName,
      ],
    );
    return rowCount ?? 0;
  });
}
