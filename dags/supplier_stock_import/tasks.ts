import { createHash } from 'node:crypto';
import { access, mkdir, readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import type { TaskLogger } from '../../engine/index.js';
import { PermanentTaskError, type Knex } from '../../platform/index.js';
import { count, step } from '../steps.js';
import { checkReferences, parseStockFile, StockFileError, type RejectedLine } from './stockFile.js';
import { knownReferences, replaceStockFile } from './store/index.js';

/** Rejected lines kept in a file's report (all of them are stored in `supplier_stock_files`). */
const REPORTED_REJECTS = 100;
/** Rejected lines written to the try's log, one warning each. */
const LOGGED_REJECTS = 20;

export type StockFileReport = {
  file: string;
  rows_loaded: number;
  rows_rejected: number;
  /** The first rejected lines, with their line numbers and reasons. */
  rejects: RejectedLine[];
  moved_to: string;
};

/**
 * load_supplier_stock: loads each file the sensor found. A file's valid rows replace what a file
 * of the same name loaded before; its bad lines are reported with their line numbers (in the
 * output, the log and `supplier_stock_files.rejects`), never dropped silently; then it moves to
 * `processed/`. A file that is not a stock file at all (no or a wrong header) moves to
 * `rejected/` and, once the others are loaded, fails the task (its e-mail names the file).
 */
export async function loadSupplierStockFiles(
  knex: Knex,
  log: TaskLogger,
  files: readonly string[],
  options: { dropDir: string; runId: number },
): Promise<{ files: StockFileReport[] }> {
  const reports: StockFileReport[] = [];
  const unreadable: string[] = [];
  for (const file of files) {
    const name = path.basename(file);
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      log.warn(`${name}: gone before it was read (an earlier try or another run took it)`, { file: name });
      continue;
    }
    const text = bytes.toString('utf8');
    let parsed;
    try {
      parsed = parseStockFile(text);
    } catch (err) {
      if (!(err instanceof StockFileError)) throw err;
      const movedTo = await moveInto(file, path.join(options.dropDir, 'rejected'));
      log.error(`${name}: not a stock file: ${err.message}; moved to ${movedTo}`, { file: name });
      unreadable.push(`${name} (${err.message})`);
      continue;
    }
    const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
    const report = await step(
      log,
      'load',
      async () => {
        const known = await knownReferences(
          knex,
          [...new Set(parsed.rows.map((r) => r.sku))],
          [...new Set(parsed.rows.map((r) => r.warehouseId))],
        );
        const checked = checkReferences(parsed, known, (line) => (lines[line - 1] ?? '').slice(0, 200));
        const loaded = await replaceStockFile(knex, {
          fileName: name,
          sha256: createHash('sha256').update(bytes).digest('hex'),
          runId: options.runId > 0 ? options.runId : null,
          rows: checked.rows,
          rejects: checked.rejects,
        });
        return { loaded, rejects: checked.rejects };
      },
      (r) => ({
        message: `${name}: ${count(r.loaded, 'row')} loaded, ${count(r.rejects.length, 'line')} rejected`,
        fields: { file: name, rows_written: r.loaded, rows_rejected: r.rejects.length },
        ...(r.rejects.length > 0 ? { level: 'warn' as const } : {}),
      }),
    );
    for (const reject of report.rejects.slice(0, LOGGED_REJECTS))
      log.warn(`${name} line ${reject.line}: ${reject.reason}`, { file: name, ...reject });
    const movedTo = await moveInto(file, path.join(options.dropDir, 'processed'));
    reports.push({
      file: name,
      rows_loaded: report.loaded,
      rows_rejected: report.rejects.length,
      rejects: report.rejects.slice(0, REPORTED_REJECTS),
      moved_to: movedTo,
    });
  }
  if (unreadable.length > 0)
    throw new PermanentTaskError(
      `${count(unreadable.length, 'file')} rejected as a whole: ${unreadable.join('; ')}` +
        (reports.length > 0 ? `; loaded ${reports.map((r) => r.file).join(', ')}` : ''),
    );
  return { files: reports };
}

/**
 * Moves a file into `dir` under its name, or under `name.<epoch ms>` when that name is taken (a
 * file re-sent under the same name keeps its earlier copy). Returns where it went.
 */
async function moveInto(file: string, dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  let target = path.join(dir, path.basename(file));
  if (await exists(target)) target = `${target}.${Date.now()}`;
  await rename(file, target);
  return target;
}

const exists = (file: string) =>
  access(file).then(
    () => true,
    () => false,
  );
