import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { SMTPServer } from 'smtp-server';
import { createDagServices, type DagServices } from '../../dags/index.js';
import { runDagInProcess, type Dag, type LocalRunResult } from '../../engine/index.js';
import { createLogger, loadConfig, type Knex, type Logger } from '../../platform/index.js';
import { TEST_KAFKA_BROKERS, TEST_REDIS_URL, testTopicSuffix } from '../support/isolation.js';

/** A received e-mail: envelope and the raw RFC 5322 text (quoted-printable decoded). */
export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  subject: string;
}

/** A real SMTP server on a free port that keeps every message it receives. */
export async function startSmtpServer(): Promise<{
  url: string;
  mails: ReceivedMail[];
  close(): Promise<void>;
}> {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const message = Buffer.concat(chunks).toString('utf8');
        const split = message.search(/\r?\n\r?\n/);
        const headers = message.slice(0, split).replace(/\r?\n[ \t]+/g, ' ');
        const raw = `${headers}\n\n${decodeQuotedPrintable(message.slice(split))}`;
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          subject: decodeEncodedWords(/^Subject: (.*)$/im.exec(headers)?.[1] ?? ''),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as { port: number };
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** RFC 2047 encoded words (=?UTF-8?Q?…?= and =?UTF-8?B?…?=), as in a non-ASCII subject. */
function decodeEncodedWords(text: string): string {
  return text
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?UTF-8\?([QB])\?([^?]*)\?=/gi, (_, kind: string, body: string) =>
      kind.toUpperCase() === 'B'
        ? Buffer.from(body, 'base64').toString('utf8')
        : decodeQuotedPrintable(body.replace(/_/g, ' ')),
    );
}

function decodeQuotedPrintable(text: string): string {
  return text
    .replace(/=\r?\n/g, '')
    .replace(/(?:=[0-9A-F]{2})+/g, (m) => Buffer.from(m.replace(/=/g, ''), 'hex').toString('utf8'));
}

export interface TestServices {
  services: DagServices;
  dataDir: string;
  logger: Logger;
  close(): Promise<void>;
}

/** The DAG services against the test Redis, Kafka (own topic suffix), an SMTP URL and a temp DATA_DIR. */
export async function createTestServices(options: {
  smtpUrl?: string;
  databaseUrl: string;
}): Promise<TestServices> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'wareflow-dags-'));
  const config = loadConfig({
    DATABASE_URL: options.databaseUrl,
    REDIS_URL: TEST_REDIS_URL,
    KAFKA_BROKERS: TEST_KAFKA_BROKERS.join(','),
    KAFKA_TOPIC_SUFFIX: testTopicSuffix(),
    SMTP_URL: options.smtpUrl,
    EMAIL_FROM: 'wareflow@test.local',
    ALERT_EMAIL_TO: 'team@test.local,buyer@test.local',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
  });
  const logger = createLogger({ level: 'silent' });
  const services = await createDagServices(config, logger);
  return {
    services,
    dataDir,
    logger,
    async close() {
      await services.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** One log line a task wrote, as pino stored it: the message and the fields beside it. */
export interface TaskLogLine {
  level: number;
  task_id: string;
  msg: string;
  step?: string;
  [field: string]: unknown;
}

/** A local run's result, with the info-or-higher log lines of every task by task id. */
export type LocalRun = LocalRunResult & { logs: Record<string, TaskLogLine[]> };

/**
 * Runs every task of a DAG once in this process with the DAG services (`runDagInProcess`), and
 * keeps what the tasks logged through `ctx.log` (info and above).
 */
export async function runDagLocally(
  dag: Dag,
  env: { db: Knex; services: DagServices; logger: Logger },
  interval: { start: Date; end: Date; conf?: Record<string, unknown> },
): Promise<LocalRun> {
  const logs: Record<string, TaskLogLine[]> = {};
  const logger = pino(
    { level: 'info', base: {} },
    {
      write(line: string) {
        const entry = JSON.parse(line) as TaskLogLine;
        (logs[entry.task_id] ??= []).push(entry);
      },
    },
  );
  const result = await runDagInProcess(
    dag,
    { db: env.db, services: { inventory: env.services }, logger },
    interval,
  );
  return { ...result, logs };
}

/** The line a task logged for `step` (the first one, or the one `where` picks). */
export function stepLine(
  run: LocalRun,
  taskId: string,
  step: string,
  where: (line: TaskLogLine) => boolean = () => true,
): TaskLogLine {
  const line = (run.logs[taskId] ?? []).find((l) => l.step === step && where(l));
  if (!line) {
    const seen = (run.logs[taskId] ?? []).map((l) => l.msg).join('\n  ');
    throw new Error(`task ${taskId} logged no '${step}' line; it logged:\n  ${seen}`);
  }
  return line;
}
