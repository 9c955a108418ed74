import type { Command } from 'commander';
import {
  audited,
  cancelRun,
  cancelTask,
  clearTasks,
  cliActor,
  getRun,
  getRunNotes,
  getTaskLog,
  listRuns,
  markTask,
  setRunNote,
  waitJson,
  RUN_STATES,
  type TaskLogRow,
  type TaskLogView,
} from '../../engine/index.js';
import { UsageError } from '../errors.js';
import { withEngine } from '../registry.js';
import { commandUser, iso, parseRunId, printJson, printTable, wholeNumber } from './arguments.js';

export function registerRunsCommands(program: Command): void {
  const runs = program.command('runs').description('DAG runs: list, show, clear, mark, cancel');

  runs
    .command('list')
    .description('list runs, newest logical date first')
    .argument('[dag]', 'only runs of this DAG')
    .option('--state <state>', 'only runs in this state (running, success, failed, cancelled)')
    .option('--limit <n>', 'at most this many runs', wholeNumber('--limit'), 50)
    .option('--json', 'print one JSON document')
    .action(async (dagId: string | undefined, opts: { state?: string; limit: number; json?: boolean }) => {
      if (opts.state && !(RUN_STATES as readonly string[]).includes(opts.state)) {
        throw new UsageError(`--state must be ${RUN_STATES.join(', ')} (got ${opts.state})`);
      }
      await withEngine(async ({ engine }) => {
        const rows = await listRuns(engine, {
          ...(dagId ? { dagId } : {}),
          ...(opts.state ? { state: opts.state } : {}),
          limit: opts.limit,
        });
        if (opts.json) return printJson(rows);
        printTable(
          ['run_id', 'dag_id', 'type', 'logical_date', 'state', 'started', 'ended'],
          rows.map((r) => [
            r.id,
            r.dag_id,
            r.run_type,
            iso(r.logical_date),
            r.state,
            iso(r.started_at),
            iso(r.ended_at),
          ]),
        );
      });
    });

  runs
    .command('show')
    .description("a run with its task instances (and a task's log and output with --task)")
    .argument('<run_id>', 'run number', parseRunId)
    .option(
      '--task <task>',
      "print this task's log, try by try (the engine's events included), and its output",
    )
    .option('--json', 'print one JSON document')
    .action(async (runId: number, opts: { task?: string; json?: boolean }) => {
      await withEngine(async ({ engine }) => {
        const run = await getRun(engine, runId);
        if (!run) throw new UsageError(`unknown run ${runId}`);
        if (opts.task && !run.task_instances.some((t) => t.task_id === opts.task))
          throw new UsageError(`run ${runId} has no task '${opts.task}'`);
        const log = opts.task ? await getTaskLog(engine, runId, opts.task) : undefined;
        const waiting = run.task_instances.find((t) => t.task_id === opts.task)?.waiting ?? null;
        if (opts.json) {
          const tasks = run.task_instances.map((t) => ({ ...t, waiting: waitJson(t.waiting) }));
          const doc = { ...run, task_instances: tasks };
          return printJson(
            log
              ? { ...doc, logs: log.tries.flatMap((t) => t.lines), task_log: log, waiting: waitJson(waiting) }
              : doc,
          );
        }
        console.log(`run ${run.id}  ${run.dag_id}  ${run.run_type}  ${iso(run.logical_date)}  ${run.state}`);
        printTable(
          ['task_id', 'state', 'try', 'started', 'ended', 'error', 'waiting'],
          run.task_instances.map((t) => [
            t.task_id,
            t.state,
            t.try_number,
            iso(t.started_at),
            iso(t.ended_at),
            t.error,
            t.waiting?.message ?? null,
          ]),
        );
        if (waiting) console.log(`${opts.task} waiting: ${waiting.message}`);
        if (log) printTaskLog(log);
      });
    });

  runs
    .command('clear')
    .description('clear task instances so they run again (every task unless --task)')
    .argument('<run_id>', 'run number', parseRunId)
    .option('--task <task...>', 'tasks to clear')
    .option('--downstream', 'also clear everything downstream of them')
    .option('--json', 'print one JSON document')
    .action(async (runId: number, opts: { task?: string[]; downstream?: boolean; json?: boolean }) => {
      await withEngine(async ({ engine }) => {
        const options = { taskIds: opts.task ?? [], downstream: opts.downstream ?? false };
        const { cleared } = await audited(
          engine,
          {
            ...cliActor(),
            action: 'run.clear',
            runId,
            detail: { task_ids: options.taskIds, downstream: options.downstream },
          },
          () => clearTasks(engine, runId, options),
          (r) => ({ detail: { cleared: r.cleared } }),
        );
        if (opts.json) printJson({ run_id: runId, cleared });
        else console.log(`run ${runId}: cleared ${cleared.join(', ')}`);
      });
    });

  runs
    .command('mark')
    .description('mark a task instance success or failed; downstream tasks follow their trigger rules')
    .argument('<run_id>', 'run number', parseRunId)
    .argument('<state>', 'success or failed')
    .requiredOption('--task <task>', 'the task instance')
    .action(async (runId: number, state: string, opts: { task: string }) => {
      if (state !== 'success' && state !== 'failed')
        throw new UsageError(`state must be success or failed (got ${state})`);
      await withEngine(async ({ engine }) => {
        await audited(
          engine,
          { ...cliActor(), action: 'task.mark', runId, taskId: opts.task, detail: { state } },
          () => markTask(engine, runId, opts.task, state),
        );
        console.log(`run ${runId}: ${opts.task} marked ${state}`);
      });
    });

  runs
    .command('note')
    .description("print a run's note, or set it with --set (an empty text removes it)")
    .argument('<run_id>', 'run number', parseRunId)
    .option('--set <text>', 'the new note: plain text, at most 4,000 characters')
    .option('--json', 'print one JSON document')
    .action(async (runId: number, opts: { set?: string; json?: boolean }) => {
      await withEngine(async ({ engine }) => {
        const note =
          opts.set === undefined
            ? ((await getRunNotes(engine, [runId])).get(runId) ?? null)
            : await setRunNote(engine, runId, opts.set, cliActor());
        if (opts.set === undefined && !(await getRun(engine, runId)))
          throw new UsageError(`unknown run ${runId}`);
        if (opts.json)
          return printJson({
            run_id: runId,
            note: note?.note ?? null,
            updated_by: note?.updated_by ?? null,
            updated_at: iso(note?.updated_at),
          });
        if (opts.set !== undefined)
          console.log(`run ${runId}: ${note ? `note set (${note.note.length} characters)` : 'note removed'}`);
        else
          console.log(
            note
              ? `${note.note}\n-- ${note.updated_by}, ${iso(note.updated_at)}`
              : `run ${runId} has no note`,
          );
      });
    });

  registerCancel(runs);
}

/** `runs cancel`: a whole run, or one task instance of it with --task. */
function registerCancel(runs: Command): void {
  runs
    .command('cancel')
    .description(
      'cancel a running run (or one task instance with --task): running tries are aborted, nothing more starts',
    )
    .argument('<run_id>', 'run number', parseRunId)
    .option('--task <task>', 'cancel only this task instance; downstream tasks follow their trigger rules')
    .option('--reason <text>', 'why (shown on the run and in the task log)')
    .option('--json', 'print one JSON document')
    .action(async (runId: number, opts: { task?: string; reason?: string; json?: boolean }) => {
      if (opts.reason !== undefined && opts.reason.trim() === '')
        throw new UsageError('--reason must not be empty');
      if (opts.task !== undefined && opts.task.trim() === '')
        throw new UsageError('--task must not be empty');
      await withEngine(async ({ engine }) => {
        const request = { by: commandUser(), ...(opts.reason ? { reason: opts.reason } : {}) };
        const target = { action: opts.task ? 'task.cancel' : 'run.cancel', runId, taskId: opts.task ?? null };
        const result = await audited(
          engine,
          { ...cliActor(), ...target, detail: { reason: opts.reason } },
          () =>
            opts.task ? cancelTask(engine, runId, opts.task, request) : cancelRun(engine, runId, request),
        );
        const tasks = result.cancelled.map((t) => t.task_id);
        if (opts.json)
          return printJson({ run_id: runId, run_state: result.runState, cancelled: result.cancelled });
        console.log(`run ${runId}: cancelled ${tasks.join(', ')} (run ${result.runState})`);
      });
    });
}

/** A task instance's log, try by try, then its output (or error). */
function printTaskLog(log: TaskLogView): void {
  console.log('');
  console.log(`task ${log.taskId}  ${log.state ?? '?'}  try ${log.tryNumber}`);
  if (log.tries.length === 0) console.log('  no log lines yet');
  for (const t of log.tries) {
    console.log(`-- try ${t.tryNumber} (${t.state}) --`);
    for (const l of t.lines) console.log(`${iso(l.logged_at)} ${formatLine(l)}`);
  }
  if (log.state === 'success') console.log(`output: ${JSON.stringify(log.output)}`);
  else if (log.error) console.log(`error: ${log.error}`);
}

/** One line: level, `[engine]` for the engine's events, the message and the task's own fields. */
function formatLine(l: TaskLogRow): string {
  const level = l.level.toUpperCase().padEnd(5);
  if (l.source === 'engine') return `${level} [engine] ${l.message}`;
  const fields = Object.entries(l.fields)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  return `${level} ${l.message}${fields ? `  ${fields}` : ''}`;
}
