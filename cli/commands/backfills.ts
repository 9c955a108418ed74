import type { Command } from 'commander';
import { audited, cancelBackfill, cliActor, listBackfills } from '../../engine/index.js';
import { UsageError } from '../errors.js';
import { withEngine } from '../registry.js';
import { commandUser, iso, parseBackfillId, printJson, printTable } from './arguments.js';

/** `backfills list|cancel` (`dags backfill DAG` starts one). */
export function registerBackfillsCommands(program: Command): void {
  const backfills = program.command('backfills').description('backfills: list, cancel');

  backfills
    .command('list')
    .description('list backfills, newest first')
    .argument('[dag]', 'only backfills of this DAG')
    .option('--json', 'print one JSON document')
    .action(async (dagId: string | undefined, opts: { json?: boolean }) => {
      await withEngine(async ({ engine }) => {
        if (dagId) engine.dag(dagId);
        const rows = await listBackfills(engine, dagId ? { dagId } : {});
        if (opts.json) return printJson(rows);
        printTable(
          ['backfill_id', 'dag_id', 'from', 'to', 'state', 'total', 'concurrency', 'ended'],
          rows.map((b) => [
            b.id,
            b.dag_id,
            iso(b.from_date),
            iso(b.to_date),
            b.state,
            b.total,
            b.concurrency,
            iso(b.ended_at),
          ]),
        );
      });
    });

  backfills
    .command('cancel')
    .description(
      'cancel a running backfill: no new runs, its queued runs are cancelled, runs at work finish (unless --include-running)',
    )
    .argument('<backfill_id>', 'backfill number', parseBackfillId)
    .option('--include-running', 'also cancel its runs that have started')
    .option('--reason <text>', 'why (shown on the cancelled runs)')
    .option('--json', 'print one JSON document')
    .action(async (id: number, opts: { includeRunning?: boolean; reason?: string; json?: boolean }) => {
      if (opts.reason !== undefined && opts.reason.trim() === '')
        throw new UsageError('--reason must not be empty');
      await withEngine(async ({ engine }) => {
        const detail = {
          backfill_id: id,
          include_running: opts.includeRunning ?? false,
          reason: opts.reason,
        };
        const result = await audited(engine, { ...cliActor(), action: 'backfill.cancel', detail }, () =>
          cancelBackfill(engine, id, {
            by: commandUser(),
            includeRunning: opts.includeRunning ?? false,
            ...(opts.reason ? { reason: opts.reason } : {}),
          }),
        );
        if (opts.json)
          return printJson({
            backfill_id: id,
            state: 'cancelled',
            cancelled_runs: result.cancelledRuns,
            left_running: result.leftRunning,
          });
        console.log(
          `backfill ${id} cancelled: ${result.cancelledRuns.length} queued run(s) cancelled, ` +
            `${result.leftRunning.length} running run(s) left to finish`,
        );
      });
    });
}
