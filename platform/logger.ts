import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs, one event per line, on stderr so that stdout stays free for a command's
 * own output (`--json` prints one document and nothing else).
 */
export function createLogger(options: { level?: string; name?: string } = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: options.name ? { service: options.name } : {},
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: ['password', '*.password', 'DATABASE_URL', 'SMTP_URL', 'REDIS_URL'], censor: '***' },
    },
    pino.destination({ fd: 2, sync: false }),
  );
}
