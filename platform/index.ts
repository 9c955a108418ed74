/** Process plumbing shared by every wareflow process: config, logging, errors, connections and mail. */
export * from './errors.js';
export { loadConfig, redact, topicNames, type Config, type ConfigInput, type TopicNames } from './config.js';
export { createLogger, type Logger } from './logger.js';
export { createKnex, type Knex, type PostgresOptions } from './postgres.js';
export { createRedis, Redis } from './redis.js';
export { createIdempotentProducer, createKafka, ensureTopics, Kafka, kafkajsLogLevel } from './kafka.js';
export { createBatcher, type Batcher, type BatcherOptions } from './batcher.js';
export { EXIT_ABANDONED, openResources, stopSignal, stopWithin, type StopPart } from './shutdown.js';
export { escapeHtml, parseWholeNumber } from './text.js';
export { withTimeout } from './timeout.js';
export * from './mail/index.js';
export {
  runChecks,
  startHealthServer,
  registerDependencyGauge,
  type HealthCheck,
  type HealthServer,
  type HealthServerOptions,
} from './health.js';
