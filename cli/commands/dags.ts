import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import {
  advanceBackfill,
  audited,
  cliActor,
  listDags,
  planBackfill,
  setPaused,
  startBackfill,
  triggerRun,
  waitForRun,
  type BackfillProgress,
  type DagSummary,
} from '../../engine/index.js';
import { EXIT } from '../errors.js';
import { withEngine } from '../registry.js';
import { iso, parseDate, parseJsonObject, printJson, printTable, wholeNumber } from './arguments.js';

/** SQLSTATEs of a database, schema or table that is not there yet. */
const NO_SCHEMA = new Set(['3D000', '3F000', '42P01']);

/** A DAG's schedule for people: its cron, the assets it runs on, the assets its cron runs wait for. */
function scheduleText(d: DagSummary): string {
  const parts = [
    ...(d.schedule ? [d.schedule] : []),
    ...(d.on_assets.length > 0 ? [`on ${d.on_assets.join(', ')}`] : []),
    ...(d.wait_for_assets.length > 0 ? [`after ${d.wait_for_assets.join(', ')}`] : []),
  ];
  return parts.length > 0 ? parts.join('; ') : '(manual)';
}

export function registerDagsCommands(program: Command): void {
  const dags = program.command('dags').description('DAGs: list, trigger, backfill, pause');

  dags
    .command('list')
    .description('list the DAGs with their schedule, pause flag and latest run')
    .option('--json', 'print one JSON document')
    .action(async (opts: { json?: boolean }) => {
      await withEngine(async ({ engine }) => {
        // The definitions are code: without a migrated database they are listed all the same.
        const list = await listDags(engine).catch(async (err: { code?: string; message?: string }) => {
          if (!NO_SCHEMA.has(err.code ?? '')) throw err;
          process.stderr.write(`wareflow: no run history (${err.message}); run \`wareflow db migrate\`\n`);
          return listDags(engine, { history: false });
        });
        if (opts.json) {
          printJson(
            list.map((d) => ({
              ...d,
              last_run: d.last_run ? { ...d.last_run, logical_date: iso(d.last_run.logical_date) } : null,
            })),
          );
          return;
        }
        printTable(
          ['dag_id', 'schedule', 'timezone', 'paused', 'tasks', 'last run', 'state', 'runs ✓/✗/⊘/▶'],
          list.map((d) => [
            d.dag_id,
            scheduleText(d),
            d.timezone,
            d.is_paused ? 'yes' : 'no',
            d.tasks.length,
            iso(d.last_run?.logical_date),
            d.last_run?.state,
            `${d.runs.success}/${d.runs.failed}/${d.runs.cancelled}/${d.runs.running}`,
          ]),
        );
      });
    });

  dags
    .command('trigger')
    .description('start a manual run; --wait blocks until it ends and exits 1 if it failed')
    .argument('<dag>', 'DAG id')
    .option('--conf <json>', 'params as a JSON object, validated against the DAG params')
    .option('--wait', 'wait for the run to end')
    .option('--json', 'print one JSON document')
    .action(async (dagId: string, opts: { conf?: string; wait?: boolean; json?: boolean }) => {
      const conf = opts.conf === undefined ? {} : parseJsonObject('--conf', opts.conf);
      await withEngine(async ({ engine }) => {
        let run = await audited(
          engine,
          { ...cliActor(), action: 'run.trigger', dagId, detail: { conf } },
          () => triggerRun(engine, dagId, { conf }),
          (created) => ({ runId: created.id }),
        );
        if (!opts.json)
          console.log(`run ${run.id} of ${dagId} triggered (logical date ${iso(run.logical_date)})`);
        if (opts.wait) {
          run = await waitForRun(engine, run.id);
          if (!opts.json) console.log(`run ${run.id} ${run.state}`);
          if (run.state !== 'success') process.exitCode = EXIT.failed;
        }
        if (opts.json) printJson(run);
      });
    });

  dags
    .command('backfill')
    .description(
      'run every interval of a date range as backfill runs (resumable: repeat the command to resume)',
    )
    .argument('<dag>', 'DAG id')
    .requiredOption('--from <date>', 'first logical date (YYYY-MM-DD or ISO time), inclusive')
    .requiredOption('--to <date>', 'last logical date (YYYY-MM-DD covers the whole day), inclusive')
    .option('--concurrency <n>', 'backfill runs at once', wholeNumber('--concurrency'), 16)
    .option(
      '--priority <n>',
      'priority of its runs (production runs: 0); below 0 their tasks go after production tasks',
      wholeNumber('--priority', -1_000_000, 1_000_000),
      -1,
    )
    .option('--dry-run', 'list the intervals and exit')
    .option('--reset', 'rerun intervals that already succeeded')
    .option('--conf <json>', 'params for every run')
    .option('--json', 'print one JSON document')
    .action(
      async (
        dagId: string,
        opts: {
          from: string;
          to: string;
          concurrency: number;
          priority: number;
          dryRun?: boolean;
          reset?: boolean;
          conf?: string;
          json?: boolean;
        },
      ) => {
        const from = parseDate('--from', opts.from);
        const to = parseDate('--to', opts.to, true);
        const conf = opts.conf === undefined ? {} : parseJsonObject('--conf', opts.conf);
        await withEngine(async ({ engine }) => {
          const dag = engine.dag(dagId);
          if (opts.dryRun) {
            const intervals = planBackfill(dag, from, to, engine.now());
            if (opts.json) printJson({ dag_id: dagId, dry_run: true, intervals });
            else for (const i of intervals) console.log(`${iso(i.start)}  →  ${iso(i.end)}`);
            return;
          }
          const request = {
            from,
            to,
            concurrency: opts.concurrency,
            priority: opts.priority,
            reset: opts.reset ?? false,
            conf,
          };
          const backfill = await audited(
            engine,
            { ...cliActor(), action: 'backfill.create', dagId, detail: { ...request } },
            () => startBackfill(engine, dagId, request),
            (b) => ({ detail: { backfill_id: b.id, total: b.total } }),
          );
          const bar =
            process.stdout.isTTY && !opts.json
              ? new cliProgress.SingleBar(
                  {
                    format: `${dagId} [{bar}] {value}/{total} intervals | {failed} failed | ETA {eta_formatted}`,
                    etaBuffer: 50,
                  },
                  cliProgress.Presets.shades_classic,
                )
              : undefined;
          bar?.start(backfill.total, 0, { failed: 0 });
          let progress: BackfillProgress;
          let lastDone = -1;
          let lastChange = Date.now();
          let warned = false;
          for (;;) {
            progress = await advanceBackfill(engine, dag, backfill.id);
            bar?.update(progress.done, { failed: progress.failed });
            if (progress.done !== lastDone) [lastDone, lastChange] = [progress.done, Date.now()];
            else if (!warned && Date.now() - lastChange > 60_000) {
              // Runs are only created here; tasks run on workers. Say so instead of stalling silently.
              process.stderr.write(
                'wareflow: no interval finished for 60 s — is a worker running (wareflow worker)?\n',
              );
              warned = true;
            }
            if (progress.state !== 'running') break;
            await new Promise((r) => setTimeout(r, 50));
          }
          bar?.stop();
          if (opts.json)
            printJson({
              backfill_id: backfill.id,
              dag_id: dagId,
              from: iso(from),
              to: iso(to),
              state: progress.state,
              total: progress.total,
              succeeded: progress.succeeded,
              failed: progress.failed,
              skipped: progress.skipped,
            });
          else
            console.log(
              `backfill ${backfill.id} of ${dagId} ${progress.state}: ${progress.succeeded} succeeded, ${progress.failed} failed, ${progress.skipped} already done`,
            );
          if (progress.state !== 'success') process.exitCode = EXIT.failed;
        });
      },
    );

  for (const [name, paused] of [
    ['pause', true],
    ['unpause', false],
  ] as const) {
    dags
      .command(name)
      .description(
        paused
          ? 'stop scheduling new runs of a DAG'
          : 'resume scheduling (catchup=false DAGs get only the latest interval)',
      )
      .argument('<dag>', 'DAG id')
      .action(async (dagId: string) => {
        await withEngine(async ({ engine }) => {
          await audited(engine, { ...cliActor(), action: paused ? 'dag.pause' : 'dag.unpause', dagId }, () =>
            setPaused(engine, dagId, paused),
          );
          console.log(`${dagId} ${paused ? 'paused' : 'unpaused'}`);
        });
      });
  }
}
