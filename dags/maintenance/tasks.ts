import type { TaskLogger } from '../../engine/index.js';
import {
  addMonths,
  advanceLedgerTotals,
  createMonthPartition,
  ledgerTotalsUntil,
  dropMonthPartition,
  forgetArchive,
  markArchive,
  partitionFigures,
  readPartitionRows,
  recordArchive,
} from '../../inventory/partitions/index.js';
import { settleReceivedOrders } from '../../inventory/analytics/index.js';
import { PermanentTaskError, type Knex } from '../../platform/index.js';
import { count, step } from '../steps.js';
import { monthArchiveDir, readMonthArchive, writeMonthArchive } from './partitionArchive.js';
import {
  ledgerTotalsMonth,
  planRetention,
  type ExpiredMonth,
  type RetentionSettings,
  type TablePlan,
} from './plan.js';

/** Rows fetched from PostgreSQL at a time while a month is archived. */
const FETCH_ROWS = 50_000;

/** An archive that does not hold what its partition holds: a person must look before anything is dropped. */
export class ArchiveMismatchError extends PermanentTaskError {}

const label = (t: TablePlan, p: { month: string }) => `${t.table.name} ${p.month.slice(0, 7)}`;

/**
 * create_partitions: every month from the oldest event the stream accepts to MONTHS_AHEAD ahead
 * gets its partition, and rows that landed in a DEFAULT partition (a month without one) move to
 * their month's new partition, where retention treats them like any other. Then the ledger
 * totals move up to the start of the previous month: on-hand reconciles with them plus the
 * younger rows, before and after older months are dropped.
 */
export async function createPartitions(knex: Knex, log: TaskLogger, s: RetentionSettings) {
  const plan = await planRetention(knex, s);
  let created = 0;
  let moved = 0;
  for (const t of plan.tables) {
    const months = [...new Set([...t.create, ...t.fromDefault.map((d) => d.month)])].sort();
    for (const month of months) {
      const rows = await step(
        log,
        'partition',
        () => createMonthPartition(knex, t.table, month),
        (r) => ({
          message:
            r === null
              ? `${label(t, { month })} exists`
              : `${label(t, { month })} created${r > 0 ? `, ${count(r, 'row')} moved from DEFAULT` : ''}`,
          fields: { table: t.table.name, month, rows_written: r ?? 0 },
        }),
      );
      if (rows !== null) created++;
      moved += rows ?? 0;
    }
  }
  log.info(`partitions: ${count(created, 'partition')} created, ${count(moved, 'row')} moved from DEFAULT`, {
    step: 'partitions',
    created,
    moved,
  });
  const closed = ledgerTotalsMonth(s);
  const totals = await step(
    log,
    'ledger totals',
    () => advanceLedgerTotals(knex, closed),
    (n) => ({
      message: `rows before ${closed.slice(0, 7)} summed per pair (${count(n, 'month')} added)`,
      fields: { until: closed, months: n },
    }),
  );
  return { created, moved, totals, cutoff: plan.cutoff.month };
}

/** Whether a month's archive record still describes its partition (a rerun writes nothing again). */
function current(p: ExpiredMonth, live: { rows: number; checksum: bigint }): boolean {
  return !!p.archive && p.archive.row_count === live.rows && p.archive.checksum === live.checksum;
}

/**
 * archive_expired: each partition older than the cutoff is written to
 * `DATA_DIR/archive/<table>/month=YYYY-MM/` and recorded with its row count and checksum, unless
 * its record already matches the partition (a resumed run after a crash).
 */
export async function archiveExpired(knex: Knex, log: TaskLogger, dataDir: string, s: RetentionSettings) {
  const plan = await planRetention(knex, s);
  log.info(`cutoff: months before ${plan.cutoff.month.slice(0, 7)} expire (held by ${plan.cutoff.heldBy})`, {
    step: 'cutoff',
    cutoff: plan.cutoff.month,
    held_by: plan.cutoff.heldBy,
  });
  let archived = 0;
  let skipped = 0;
  for (const t of plan.tables) {
    for (const p of t.expired) {
      const live = await partitionFigures(knex, t.table, p.name);
      if (current(p, live)) {
        skipped++;
        log.info(`archive: ${label(t, p)} already archived (${count(live.rows, 'row')})`, {
          step: 'archive',
          table: t.table.name,
          month: p.month,
          rows_read: 0,
        });
        continue;
      }
      const dir = monthArchiveDir(dataDir, t.table.name, p.month);
      const written = await step(
        log,
        'archive',
        () => writeMonthArchive(dir, t.table, readPartitionRows(knex, t.table, p.name, FETCH_ROWS)),
        (r) => ({
          message: `${label(t, p)}: ${count(r.rows, 'row')} in ${count(r.files, 'file')} under ${dir}`,
          fields: {
            table: t.table.name,
            month: p.month,
            rows_read: r.rows,
            rows_written: r.rows,
            files: r.files,
          },
        }),
      );
      await recordArchive(knex, {
        table_name: t.table.name,
        month: p.month,
        path: dir,
        files: written.files,
        row_count: written.rows,
        checksum: written.checksum,
      });
      archived++;
    }
  }
  return { archived, skipped, cutoff: plan.cutoff.month };
}

/**
 * verify_archives: each expired partition's archive is read back from its Parquet files and must
 * hold the partition's row count and checksum; then it is marked verified. Runs every time, so a
 * run resumed after a crash between archive and drop verifies again before dropping. An archive
 * that does not match fails the task (nothing is dropped) and loses its record, so the next run
 * writes the month again.
 */
export async function verifyArchives(knex: Knex, log: TaskLogger, s: RetentionSettings) {
  const plan = await planRetention(knex, s);
  let verified = 0;
  for (const t of plan.tables) {
    for (const p of t.expired) {
      if (!p.archive)
        throw new ArchiveMismatchError(`${label(t, p)} has no archive record: run archive_expired first`);
      const live = await partitionFigures(knex, t.table, p.name);
      const read = await step(
        log,
        'verify',
        () => readMonthArchive(p.archive!.path, t.table),
        (r) => ({
          message: `${label(t, p)}: ${count(r.rows, 'row')} read back from ${count(r.files, 'file')}, partition holds ${live.rows}`,
          fields: { table: t.table.name, month: p.month, rows_read: r.rows, partition_rows: live.rows },
        }),
      );
      if (read.rows !== live.rows || read.checksum !== live.checksum || read.files !== p.archive.files) {
        // The files are not what was recorded: forget the record, so the next run writes the
        // month again from its partition (which is still there) before anything is dropped.
        await forgetArchive(knex, t.table.name, p.month);
        throw new ArchiveMismatchError(
          `${label(t, p)}: the archive under ${p.archive.path} holds ${read.rows} rows in ${read.files} files ` +
            `(checksum ${read.checksum}), the partition ${live.rows} rows (checksum ${live.checksum}); nothing dropped, ` +
            'the next run archives it again',
        );
      }
      await markArchive(knex, t.table.name, p.month, 'verified');
      verified++;
    }
  }
  return { verified };
}

/**
 * drop_expired: each verified month whose partition still holds exactly what was verified is
 * dropped (for the ledger, after the purchase orders its receipts completed are marked received,
 * so what is on order stays exact without them), and its record marked dropped.
 */
export async function dropExpired(knex: Knex, log: TaskLogger, s: RetentionSettings) {
  const plan = await planRetention(knex, s);
  let dropped = 0;
  for (const t of plan.tables) {
    for (const p of t.expired) {
      const live = await partitionFigures(knex, t.table, p.name);
      if (!p.archive?.verified_at || !current(p, live))
        throw new ArchiveMismatchError(
          `${label(t, p)} changed since its archive was verified (${live.rows} rows now); rerun the DAG`,
        );
      if (t.table.eventIds) {
        const until = await ledgerTotalsUntil(knex);
        if (!until || until < new Date(`${addMonths(p.month, 1)}T00:00:00Z`))
          throw new PermanentTaskError(
            `${label(t, p)} is not in the ledger totals yet (they stop at ${until?.toISOString() ?? '-infinity'}); run create_partitions first`,
          );
        await settleReceivedOrders(knex);
      }
      await step(
        log,
        'drop',
        () => dropMonthPartition(knex, t.table, p),
        (r) => ({
          message: `${label(t, p)}: ${count(live.rows, 'row')} dropped${t.table.eventIds ? `, ${count(r.eventIds, 'event id')} released` : ''}`,
          fields: { table: t.table.name, month: p.month, rows_written: live.rows, event_ids: r.eventIds },
        }),
      );
      await markArchive(knex, t.table.name, p.month, 'dropped');
      dropped++;
    }
  }
  return { dropped };
}
