import type { Command } from 'commander';
import { coerceError } from '../../platform/index.js';
import {
  intervalStartingAt,
  mapInstanceId,
  nextFireAfter,
  runTry,
  SkipTaskError,
  validateParams,
} from '../../engine/index.js';
import { EXIT, UsageError } from '../errors.js';
import { createTaskServices, withEngine } from '../registry.js';
import { iso, parseDate, parseJson, parseJsonObject, printJson } from './arguments.js';

export function registerTasksCommands(program: Command): void {
  const tasks = program.command('tasks').description('task instances');

  tasks
    .command('test')
    .description(
      'run one task in this process for a logical date, recording no state (upstream outputs are empty)',
    )
    .argument('<dag>', 'DAG id')
    .argument('<task>', 'task id')
    .argument('<date>', 'logical date (YYYY-MM-DD or ISO time)')
    .option('--conf <json>', 'params as a JSON object')
    .option('--map-item <json>', 'a mapped task: the element of its list to run it for (instance [0])')
    .option('--json', 'print one JSON document')
    .action(
      async (
        dagId: string,
        taskId: string,
        date: string,
        opts: { conf?: string; mapItem?: string; json?: boolean },
      ) => {
        const logicalDate = parseDate('DATE', date);
        const conf = opts.conf === undefined ? {} : parseJsonObject('--conf', opts.conf);
        const mapItem = opts.mapItem === undefined ? undefined : parseJson('--map-item', opts.mapItem);
        await withEngine(async ({ engine, config, logger, knex }) => {
          const dag = engine.dag(dagId);
          const task = dag.taskById.get(taskId);
          if (!task)
            throw new UsageError(
              `DAG '${dagId}' has no task '${taskId}' (tasks: ${dag.tasks.map((t) => t.id).join(', ')})`,
            );
          if (task.mapOver !== undefined && mapItem === undefined)
            throw new UsageError(
              `task '${taskId}' is mapped over '${task.mapOver}': give the element to run it for with --map-item JSON`,
            );
          if (task.mapOver === undefined && mapItem !== undefined)
            throw new UsageError(`task '${taskId}' is not mapped: --map-item does not apply`);
          const params = validateParams(dag, conf);
          const interval =
            dag.schedule === null
              ? { start: logicalDate, end: logicalDate }
              : intervalStartingAt({ schedule: dag.schedule, timezone: dag.timezone }, logicalDate);
          let services: Awaited<ReturnType<typeof createTaskServices>> | undefined;
          try {
            services = await createTaskServices(config, logger);
          } catch (err) {
            logger.warn({ err: coerceError(err) }, 'task services unavailable; running without them');
          }
          try {
            const result = await runTry(
              {
                dag,
                task,
                runId: 0,
                tryNumber: 1,
                runType: 'manual',
                logicalDate,
                dataIntervalStart: interval.start,
                dataIntervalEnd:
                  dag.schedule === null
                    ? interval.end
                    : nextFireAfter({ schedule: dag.schedule, timezone: dag.timezone }, logicalDate),
                conf: params,
                // A mapped task runs as its instance [0], over a list of the one element given.
                ...(task.mapOver !== undefined
                  ? { instanceId: mapInstanceId(task.id, 0), upstream: { [task.mapOver]: [mapItem] } }
                  : { upstream: {} }),
              },
              { db: knex, services: services?.services ?? {}, logger },
            );
            // A sensor that timed out with onTimeout 'skip' (or any task that skipped itself) did not fail.
            const skipped = !result.ok && result.error instanceof SkipTaskError;
            const summary = {
              dag_id: dagId,
              task_id: taskId,
              logical_date: iso(logicalDate),
              data_interval: { start: iso(interval.start), end: iso(interval.end) },
              state: result.ok ? 'success' : skipped ? 'skipped' : 'failed',
              duration_ms: Math.round(result.durationMs),
              ...(result.ok ? { output: result.output } : { error: result.error.message }),
              logs: result.logs.map((l) => ({ level: l.level, message: l.message, fields: l.fields })),
            };
            if (opts.json) printJson(summary);
            else {
              for (const l of result.logs) console.log(`${l.level.toUpperCase()} ${l.message}`);
              console.log(
                result.ok
                  ? `success in ${summary.duration_ms} ms: ${JSON.stringify(result.output)}`
                  : skipped
                    ? result.error.message
                    : `failed: ${result.error.message}`,
              );
            }
            if (!result.ok && !skipped) process.exitCode = EXIT.failed;
          } finally {
            await services?.close();
          }
        });
      },
    );
}
