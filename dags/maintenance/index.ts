import { defineDag, task, type TaskContext } from '../../engine/index.js';
import { inventoryServices } from '../services.js';
import { logInterval } from '../steps.js';
import { archiveExpired, createPartitions, dropExpired, verifyArchives } from './tasks.js';
import type { RetentionSettings } from './plan.js';

const DAG_ID = 'maintenance';

/** The run's retention settings: its instant is the data interval's end, the rest is configuration. */
function settingsOf(ctx: TaskContext): RetentionSettings {
  const { config } = inventoryServices(ctx.services);
  logInterval(ctx.log, 'maintenance', { start: ctx.dataIntervalStart, end: ctx.dataIntervalEnd });
  return {
    now: ctx.dataIntervalEnd,
    retentionMonths: config.RETENTION_MONTHS,
    maxEventAgeDays: config.MAX_EVENT_AGE_DAYS,
  };
}

const create_partitions = task((ctx) => createPartitions(ctx.db, ctx.log, settingsOf(ctx)), {
  description:
    'Monthly partitions from the oldest accepted event to 3 months ahead; DEFAULT rows moved to theirs',
});
const archive_expired = task(
  (ctx) => archiveExpired(ctx.db, ctx.log, inventoryServices(ctx.services).config.DATA_DIR, settingsOf(ctx)),
  {
    upstream: { create_partitions },
    description: 'Months older than RETENTION_MONTHS written to DATA_DIR/archive/<table>/month=YYYY-MM/',
  },
);
const verify_archives = task((ctx) => verifyArchives(ctx.db, ctx.log, settingsOf(ctx)), {
  upstream: { archive_expired },
  retries: 0,
  description: 'Each archive read back: its row count and checksum must equal the partition’s',
});

/**
 * Daily housekeeping of the partitioned tables (ledger, anomalies, stream windows): partitions
 * created ahead, then retention — expired months archived to Parquet, the archive verified by
 * reading it back, the partition dropped. Every step looks at what is there, so a rerun is a
 * no-op and a run after a crash carries on where it stopped (an archived month is verified again
 * before it is dropped).
 */
export const maintenance = defineDag({
  id: DAG_ID,
  schedule: '30 3 * * *',
  timezone: 'UTC',
  startDate: '2026-01-01T00:00:00Z',
  catchup: false,
  maxActiveRuns: 1,
  description: 'Monthly partitions ahead, retention: archive to Parquet, verify, drop',
  tags: ['maintenance'],
  defaultTaskOptions: { retries: 3, retryDelayMs: 30_000, timeoutMs: 60 * 60_000 },
  tasks: {
    create_partitions,
    archive_expired,
    verify_archives,
    drop_expired: task((ctx) => dropExpired(ctx.db, ctx.log, settingsOf(ctx)), {
      upstream: { verify_archives },
      description: 'Verified months detached and dropped; their event ids released',
    }),
  },
});

export {
  planRetention,
  retentionCutoff,
  monthsToKeepReady,
  ledgerTotalsMonth,
  MONTHS_AHEAD,
  type RetentionPlan,
  type RetentionSettings,
} from './plan.js';
export {
  archiveExpired,
  createPartitions,
  dropExpired,
  verifyArchives,
  ArchiveMismatchError,
} from './tasks.js';
export { monthArchiveDir, readMonthArchive } from './partitionArchive.js';
