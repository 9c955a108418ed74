import { Command, CommanderError } from 'commander';
import { ConfigError, InvalidInputError, coerceError } from '../platform/index.js';
import { EXIT } from './errors.js';
import { registerAuditCommand } from './commands/audit.js';
import { registerDashboardCommand } from './commands/dashboard.js';
import { registerDataCommands } from './commands/data.js';
import { registerDbCommands } from './commands/db.js';
import { registerDlqCommands } from './commands/dlq.js';
import { registerEvalCommands } from './commands/eval.js';
import { registerGenerateCommand } from './commands/generate.js';
import { registerStreamingCommands } from './commands/streaming.js';
import { registerServicesCommands } from './commands/services.js';
import { registerDagsCommands } from './commands/dags.js';
import { registerRunsCommands } from './commands/runs.js';
import { registerBackfillsCommands } from './commands/backfills.js';
import { registerAssetsCommands } from './commands/assets.js';
import { registerPoolsCommands } from './commands/pools.js';
import { registerTasksCommands } from './commands/tasks.js';
import { registerProcessCommands } from './commands/processes.js';
import { registerStartCommand } from './commands/start.js';
import { registerUsersCommands } from './commands/users.js';

const program = new Command('wareflow')
  .description('Airflow-style orchestrator for warehouse inventory analytics, with a Kafka streaming sidecar')
  .version('0.1.0')
  .exitOverride()
  .configureOutput({ outputError: (text, write) => write(text.split('\n')[0] + '\n') });

registerDbCommands(program);
registerDataCommands(program);
registerDashboardCommand(program);
registerGenerateCommand(program);
registerStreamingCommands(program);
registerDlqCommands(program);
registerServicesCommands(program);
registerDagsCommands(program);
registerRunsCommands(program);
registerBackfillsCommands(program);
registerAssetsCommands(program);
registerPoolsCommands(program);
registerTasksCommands(program);
registerProcessCommands(program);
registerStartCommand(program);
registerUsersCommands(program);
registerEvalCommands(program);
registerAuditCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (thrown) {
  process.exitCode = exitCodeFor(thrown);
}

function exitCodeFor(thrown: unknown): number {
  if (thrown instanceof CommanderError) {
    // Commander already printed its one-line message; help and version are not errors.
    return thrown.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  const err = coerceError(thrown);
  if (err instanceof ConfigError || err instanceof InvalidInputError) {
    process.stderr.write(`wareflow: ${err.message}\n`);
    return EXIT.usage;
  }
  process.stderr.write(`wareflow: ${err.message}\n`);
  if (process.env.LOG_LEVEL === 'debug' && err.stack) process.stderr.write(err.stack + '\n');
  return EXIT.failed;
}
