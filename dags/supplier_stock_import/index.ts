import { defineDag, fileSensor, task } from '../../engine/index.js';
import { inventoryServices } from '../services.js';
import { loadSupplierStockFiles } from './tasks.js';

const DAG_ID = 'supplier_stock_import';

/** SUPPLIER_DROP_DIR, from the configuration the worker's services carry. */
const dropDir = (ctx: { services: Parameters<typeof inventoryServices>[0] }) =>
  inventoryServices(ctx.services).config.SUPPLIER_DROP_DIR;

const wait_for_stock_file = fileSensor({
  directory: dropDir,
  pattern: '*.csv',
  intervalMs: 30_000,
  // An hour without a file is no failure: the sensor skips, the next hourly run waits again.
  timeoutMs: 55 * 60_000,
  onTimeout: 'skip',
  pokeTimeoutMs: 60_000,
  description: 'A supplier stock file (*.csv) in SUPPLIER_DROP_DIR',
});

/**
 * Supplier stock files: waits (without holding a worker slot) for `*.csv` files in
 * SUPPLIER_DROP_DIR, validates and loads them into `inventory.supplier_stock` (bad lines reported
 * with their line numbers) and moves each to `processed/`. Hourly; an hour without a file ends
 * with the sensor and the load skipped.
 */
export const supplierStockImport = defineDag({
  id: DAG_ID,
  schedule: '0 * * * *',
  timezone: 'UTC',
  startDate: '2026-01-01T00:00:00Z',
  catchup: false,
  maxActiveRuns: 1,
  description: 'Supplier stock files from SUPPLIER_DROP_DIR into inventory.supplier_stock',
  tags: ['inventory', 'suppliers'],
  defaultTaskOptions: { retries: 2, retryDelayMs: 10_000, timeoutMs: 10 * 60_000 },
  tasks: {
    wait_for_stock_file,
    load_supplier_stock: task(
      (ctx) =>
        loadSupplierStockFiles(ctx.db, ctx.log, ctx.upstream.wait_for_stock_file, {
          dropDir: dropDir(ctx),
          runId: ctx.runId,
        }),
      {
        upstream: { wait_for_stock_file },
        description:
          'Validate and load the files (bad lines reported by line number), move them to processed/',
      },
    ),
  },
});
