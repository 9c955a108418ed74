import type { Command } from 'commander';
import type { RetentionSettings } from '../../dags/index.js';
import type { TaskLogger } from '../../engine/index.js';
import { createKnex, loadConfig, type Knex } from '../../platform/index.js';
import { printJson, printTable, wholeNumber } from './arguments.js';

interface RetentionOptions {
  dryRun?: boolean;
  json?: boolean;
  retentionMonths?: number;
}

/** One thing retention does to one month of one table. */
interface RetentionAction {
  table: string;
  month: string;
  action: 'create' | 'move_from_default' | 'archive' | 'verify' | 'drop';
  rows: number | null;
  bytes: number | null;
}

const MB = 1024 * 1024;
const size = (bytes: number | null) => (bytes === null ? null : `${(bytes / MB).toFixed(1)} MB`);

/** What the maintenance DAG would do now, month by month, with exact row counts of the expired ones. */
async function plannedActions(knex: Knex, settings: RetentionSettings) {
  const { planRetention } = await import('../../dags/index.js');
  const { partitionFigures } = await import('../../inventory/partitions/index.js');
  const plan = await planRetention(knex, settings);
  const actions: RetentionAction[] = [];
  for (const t of plan.tables) {
    for (const month of t.create)
      actions.push({ table: t.table.name, month, action: 'create', rows: null, bytes: null });
    for (const d of t.fromDefault) {
      const base = { table: t.table.name, month: d.month, rows: d.rows, bytes: null };
      actions.push({ ...base, action: 'move_from_default' });
      // A month that is expired already goes on to its archive in the same run.
      if (d.month < plan.cutoff.month)
        actions.push(
          { ...base, action: 'archive' },
          { ...base, action: 'verify' },
          { ...base, action: 'drop' },
        );
    }
    for (const p of t.expired) {
      const live = await partitionFigures(knex, t.table, p.name);
      const archived = p.archive?.row_count === live.rows && p.archive.checksum === live.checksum;
      const base = { table: t.table.name, month: p.month, rows: live.rows, bytes: p.bytes };
      if (!archived) actions.push({ ...base, action: 'archive' });
      actions.push({ ...base, action: 'verify' }, { ...base, action: 'drop' });
    }
  }
  return { plan, actions };
}

/** Task log lines on stderr, one per step, as the DAG's task log would show them. */
function stderrLogger(): TaskLogger {
  const line = (level: string) => (message: string) => process.stderr.write(`${level} ${message}\n`);
  return { debug: () => undefined, info: line('info'), warn: line('warn'), error: line('error') };
}

/** `wareflow data retention [--dry-run] [--json] [--retention-months N]`. */
export function registerDataCommands(program: Command): void {
  const data = program.command('data').description('the partitioned tables: partitions and retention');
  data
    .command('retention')
    .description(
      'archive months older than RETENTION_MONTHS to Parquet, verify and drop them, create partitions ahead (what the maintenance DAG does daily)',
    )
    .option('--dry-run', 'only say what would be done')
    .option('--json', 'print one JSON document')
    .option(
      '--retention-months <n>',
      'months kept before the current one (default: RETENTION_MONTHS)',
      wholeNumber('--retention-months', 1, 1200),
    )
    .action(async (opts: RetentionOptions) => {
      const config = loadConfig();
      const knex = createKnex(config.DATABASE_URL, { poolMax: 2, applicationName: 'wareflow-retention' });
      try {
        const settings = {
          now: new Date(),
          retentionMonths: opts.retentionMonths ?? config.RETENTION_MONTHS,
          maxEventAgeDays: config.MAX_EVENT_AGE_DAYS,
        };
        const { plan, actions } = await plannedActions(knex, settings);
        const summary = {
          dry_run: opts.dryRun === true,
          cutoff: plan.cutoff.month,
          held_by: plan.cutoff.heldBy,
          retention_months: settings.retentionMonths,
          max_event_age_days: settings.maxEventAgeDays,
          actions,
        };
        if (!opts.dryRun) {
          const dags = await import('../../dags/index.js');
          const log = opts.json ? { ...stderrLogger(), info: () => undefined } : stderrLogger();
          const done = {
            ...(await dags.createPartitions(knex, log, settings)),
            ...(await dags.archiveExpired(knex, log, config.DATA_DIR, settings)),
            ...(await dags.verifyArchives(knex, log, settings)),
            ...(await dags.dropExpired(knex, log, settings)),
          };
          if (opts.json) return printJson({ ...summary, done });
          console.log(
            `retention: ${done.created} partitions created, ${done.moved} rows moved from DEFAULT, ` +
              `${done.archived} months archived, ${done.verified} verified, ${done.dropped} dropped`,
          );
          return;
        }
        if (opts.json) return printJson(summary);
        console.log(
          `months before ${plan.cutoff.month.slice(0, 7)} expire (held by ${plan.cutoff.heldBy}: ` +
            `RETENTION_MONTHS=${settings.retentionMonths}, MAX_EVENT_AGE_DAYS=${settings.maxEventAgeDays})`,
        );
        if (actions.length === 0) return console.log('nothing to do');
        printTable(
          ['table', 'month', 'action', 'rows', 'size'],
          actions.map((a) => [a.table, a.month.slice(0, 7), a.action, a.rows, size(a.bytes)]),
        );
      } finally {
        await knex.destroy();
      }
    });
}
