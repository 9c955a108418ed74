import type { Command } from 'commander';
import { audited, cliActor } from '../../engine/index.js';
import { createKnex, createLogger, loadConfig, topicNames } from '../../platform/index.js';
import {
  DEAD_LETTER_STREAMS,
  DLQ_REASONS,
  deadLettersOf,
  findDeadLetter,
  kafkajsBroker,
  listDeadLetters,
  replayDeadLetters,
  parseDeadLetterStream,
  type DeadLetter,
  type DeadLetterDeps,
  type DeadLetterStream,
} from '../../streaming/index.js';
import { UsageError } from '../errors.js';
import { iso, parseDate, printJson, printTable } from './arguments.js';

function reasonOption(value: string): string {
  if (!(DLQ_REASONS as readonly string[]).includes(value)) {
    throw new UsageError(`--reason must be one of ${DLQ_REASONS.join(', ')} (got ${value})`);
  }
  return value;
}

const sinceOption = (value: string): Date => parseDate('--since', value);

function topicOption(value: string): DeadLetterStream {
  const stream = parseDeadLetterStream(value);
  if (!stream)
    throw new UsageError(`--topic must be one of ${DEAD_LETTER_STREAMS.join(', ')} (got ${value})`);
  return stream;
}
const TOPIC_HELP =
  'the stream whose DLQ to read: inventory (inventory-events.dlq, the default), orders, shipments or audit (warehouse-….dlq)';

/** A dead letter as printed by --json: the bytes as text when they are UTF-8, else base64. */
function view(d: DeadLetter) {
  const text = d.value?.toString('utf8');
  const utf8 = text !== undefined && Buffer.from(text, 'utf8').equals(d.value!);
  return {
    id: d.id,
    partition: d.partition,
    offset: d.offset,
    reason: d.reason,
    detail: d.detail,
    dead_at: iso(d.deadAt),
    source: d.source,
    key: d.key,
    event_id: d.eventId,
    ...(utf8 ? { value: text } : { value_base64: d.value?.toString('base64') ?? null }),
    replayed_at: iso(d.replayedAt),
  };
}

/**
 * Opens what the dlq commands need (PostgreSQL, the Kafka brokers) for the DLQ of `stream` and
 * always closes it.
 */
async function withDeadLetters<T>(
  stream: DeadLetterStream,
  fn: (deps: DeadLetterDeps) => Promise<T>,
): Promise<T> {
  const config = loadConfig();
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'dlq' });
  const db = createKnex(config.DATABASE_URL, { poolMax: 2, applicationName: 'wareflow-dlq' });
  try {
    return await fn(
      deadLettersOf(
        {
          broker: kafkajsBroker(config.KAFKA_BROKERS, logger, 'wareflow-dlq'),
          db,
          topics: topicNames(config),
        },
        stream,
      ),
    );
  } finally {
    await db.destroy();
    logger.flush();
  }
}

export function registerDlqCommands(program: Command): void {
  const dlq = program
    .command('dlq')
    .description(
      'the dead-letter topics (inventory-events.dlq; warehouse-orders.dlq, -shipments.dlq, -audit.dlq with --topic): list, show and replay their messages',
    );

  dlq
    .command('list')
    .description('dead-lettered messages with their reasons, oldest first')
    .option('--topic <stream>', TOPIC_HELP, topicOption, 'inventory')
    .option('--reason <reason>', 'only this x-dlq-reason', reasonOption)
    .option(
      '--since <time>',
      'only those dead-lettered since (YYYY-MM-DD or ISO-8601 with zone)',
      sinceOption,
    )
    .option('--json', 'print one JSON document')
    .action(async (opts: { topic: DeadLetterStream; reason?: string; since?: Date; json?: boolean }) => {
      const letters = await withDeadLetters(opts.topic, (deps) => listDeadLetters(deps, opts));
      if (opts.json) return printJson(letters.map(view));
      printTable(
        ['id', 'dead_at', 'reason', 'event_id', 'detail', 'replayed_at'],
        letters.map((d) => [
          d.id,
          iso(d.deadAt),
          d.reason,
          d.eventId ?? d.key,
          d.detail.slice(0, 60),
          iso(d.replayedAt),
        ]),
      );
    });

  dlq
    .command('show')
    .description('one dead-lettered message: its reason, where it came from and its bytes')
    .argument('<ref>', 'PARTITION:OFFSET or OFFSET on the DLQ topic, or the event id')
    .option('--topic <stream>', TOPIC_HELP, topicOption, 'inventory')
    .option('--json', 'print one JSON document')
    .action(async (ref: string, opts: { topic: DeadLetterStream; json?: boolean }) => {
      if (!/^(\d+:)?\d+$/.test(ref) && !/^\s*[0-9a-f-]{36}\s*$/i.test(ref)) {
        throw new UsageError(`the message must be PARTITION:OFFSET, OFFSET or an event id (got ${ref})`);
      }
      const letter = await withDeadLetters(opts.topic, (deps) => findDeadLetter(deps, ref));
      if (!letter) throw new UsageError(`no dead-lettered message ${ref}`);
      const v = view(letter);
      if (opts.json) return printJson(v);
      for (const [k, value] of Object.entries(v)) {
        console.log(
          `${k.padEnd(12)} ${typeof value === 'object' && value !== null ? JSON.stringify(value) : (value ?? '-')}`,
        );
      }
    });

  dlq
    .command('replay')
    .description(
      'produce dead-lettered messages (original key and bytes) back to the topic they were refused ' +
        'on; each goes through validation again and is applied once however often it is replayed',
    )
    .option('--topic <stream>', TOPIC_HELP, topicOption, 'inventory')
    .option('--reason <reason>', 'only this x-dlq-reason', reasonOption)
    .option(
      '--since <time>',
      'only those dead-lettered since (YYYY-MM-DD or ISO-8601 with zone)',
      sinceOption,
    )
    .option('--dry-run', 'say what would be replayed, send nothing')
    .option('--json', 'print one JSON document')
    .action(
      async (opts: {
        topic: DeadLetterStream;
        reason?: string;
        since?: Date;
        dryRun?: boolean;
        json?: boolean;
      }) => {
        const by = cliActor();
        const replay = (deps: DeadLetterDeps) => replayDeadLetters(deps, { ...opts, by: by.actor });
        const result = await withDeadLetters(opts.topic, (deps) =>
          opts.dryRun
            ? replay(deps)
            : audited(
                { knex: deps.db },
                {
                  ...by,
                  action: 'dlq.replay',
                  detail: {
                    topic: deps.topics.dlq,
                    reason: opts.reason ?? null,
                    since: opts.since ?? null,
                  },
                },
                () => replay(deps),
                (r) => ({
                  detail: { replayed: r.replayed.length, already_replayed: r.alreadyReplayed.length },
                }),
              ),
        );
        if (opts.json) {
          return printJson({
            dry_run: result.dryRun,
            replayed: result.replayed.map((d) => d.id),
            already_replayed: result.alreadyReplayed.map((d) => d.id),
          });
        }
        const n = result.replayed.length;
        const verb = result.dryRun ? 'would replay' : 'replayed';
        console.log(
          `${verb} ${n} dead-lettered message${n === 1 ? '' : 's'}; ${result.alreadyReplayed.length} already replayed`,
        );
      },
    );
}
