import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Config } from '../config.js';
import { ServiceUnavailableError } from '../errors.js';

export interface Mail {
  to?: string[];
  subject: string;
  text: string;
  html?: string;
}

export interface Mailer {
  /** Sends one e-mail; resolves with the message id (or the .eml path when writing to the outbox). */
  send(mail: Mail): Promise<string>;
  close(): void;
}

/**
 * E-mail through SMTP_URL, or — when it is unset — as .eml files under DATA_DIR/outbox, so a
 * laptop without a mail server still shows what would have been sent.
 */
export function createMailer(
  config: Pick<Config, 'SMTP_URL' | 'EMAIL_FROM' | 'ALERT_EMAIL_TO' | 'DATA_DIR'>,
): Mailer {
  const outbox = path.join(config.DATA_DIR, 'outbox');
  const transport: Transporter = config.SMTP_URL
    ? nodemailer.createTransport(config.SMTP_URL)
    : nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });

  return {
    async send(mail) {
      const message = {
        from: config.EMAIL_FROM,
        to: (mail.to ?? config.ALERT_EMAIL_TO).join(', '),
        subject: mail.subject,
        text: mail.text,
        ...(mail.html ? { html: mail.html } : {}),
      };
      try {
        const info = await transport.sendMail(message);
        if (config.SMTP_URL) return info.messageId;
        await mkdir(outbox, { recursive: true });
        const file = path.join(
          outbox,
          `${new Date().toISOString().replace(/[:.]/g, '-')}-${info.messageId.replace(/[<>@]/g, '')}.eml`,
        );
        await writeFile(file, (info as unknown as { message: Buffer }).message);
        return file;
      } catch (err) {
        throw new ServiceUnavailableError(
          'smtp',
          `could not send "${mail.subject}": ${(err as Error).message}`,
          err,
        );
      }
    },
    close() {
      transport.close();
    },
  };
}
