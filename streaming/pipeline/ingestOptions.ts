import type { Knex } from 'knex';
import type { Logger, Redis, TopicNames } from '../../platform/index.js';
import type { Publisher } from '../transport/index.js';
import type { StreamingMetrics } from '../metrics.js';
import type { AlertMailer } from './alerts.js';
import type { MasterData } from './enrich.js';

export interface IngestOptions {
  groupId: string;
  topics: TopicNames;
  maxEventAgeDays: number;
  allowedLatenessMs: number;
  /**
   * Messages applied per PostgreSQL transaction, about: a batch is cut into equal chunks as near
   * this size as whole chunks allow (up to 1.5 times it). @defaultValue 5000
   */
  chunkSize?: number;
  /** First and largest pause between retries of a failed batch. @defaultValue [200, 30000] */
  retryDelayMs?: [number, number];
}

export interface IngestDeps {
  db: Knex;
  redis: Redis;
  publisher: Publisher;
  master: MasterData;
  mailer: AlertMailer;
  metrics: StreamingMetrics;
  logger: Logger;
}

/** Totals since start, for logs and tests. */
export interface IngestTotals {
  applied: number;
  duplicates: number;
  dlq: number;
  batches: number;
  retries: number;
}
