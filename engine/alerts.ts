import type { Logger } from '../platform/index.js';

/** Where alert e-mails go: notify's `createMailer(config)` satisfies it. */
export interface AlertMailer {
  send(mail: { subject: string; text: string; html?: string }): Promise<string>;
}

/** Sends an alert, logging (never throwing) when the mailer fails: alerts must not fail tasks. */
export async function sendAlert(
  mailer: AlertMailer | undefined,
  logger: Logger,
  mail: { subject: string; text: string },
): Promise<void> {
  if (!mailer) return;
  try {
    const id = await mailer.send(mail);
    logger.info({ subject: mail.subject, id }, 'alert sent');
  } catch (err) {
    logger.error({ err, subject: mail.subject }, 'alert could not be sent');
  }
}

export function taskFailedMail(a: {
  dagId: string;
  runId: number;
  taskId: string;
  tryNumber: number;
  logicalDate: Date;
  error: string;
}): { subject: string; text: string } {
  return {
    subject: `[wareflow] task failed: ${a.dagId}.${a.taskId} (${a.logicalDate.toISOString()})`,
    text: [
      `Task ${a.taskId} of DAG ${a.dagId} failed after its last try (try ${a.tryNumber}).`,
      `Run: ${a.runId}, logical date ${a.logicalDate.toISOString()}`,
      '',
      `Error: ${a.error}`,
      '',
      `Logs: wareflow runs show ${a.runId} --task ${a.taskId}`,
    ].join('\n'),
  };
}

export function slaMissMail(a: {
  dagId: string;
  runId: number;
  logicalDate: Date;
  deadline: Date;
  state: string;
}): { subject: string; text: string } {
  return {
    subject: `[wareflow] SLA missed: ${a.dagId} (${a.logicalDate.toISOString()})`,
    text: [
      `Run ${a.runId} of DAG ${a.dagId} (logical date ${a.logicalDate.toISOString()}) was not done by ${a.deadline.toISOString()}.`,
      `Its state is ${a.state}.`,
    ].join('\n'),
  };
}

export function runTimedOutMail(a: { dagId: string; runId: number; logicalDate: Date; timeoutMs: number }): {
  subject: string;
  text: string;
} {
  return {
    subject: `[wareflow] run timed out: ${a.dagId} (${a.logicalDate.toISOString()})`,
    text: [
      `Run ${a.runId} of DAG ${a.dagId} (logical date ${a.logicalDate.toISOString()}) ran longer than its timeout of ${a.timeoutMs} ms and was cancelled.`,
      'Its running tasks were stopped; tasks that had not started will not run.',
      '',
      `Details: wareflow runs show ${a.runId}`,
    ].join('\n'),
  };
}
