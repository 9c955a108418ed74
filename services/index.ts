/**
 * Local services without Docker: `servicesUp` makes PostgreSQL, Redis and a single-node KRaft
 * Kafka answer on the configured addresses (starting what is missing from this machine's own
 * binaries and a Kafka fetched once from Maven Central), `servicesStatus` reports without
 * starting anything, and `servicesDown` stops only what `servicesUp` started.
 */
export { servicesUp } from './up.js';
export { servicesDown } from './down.js';
export { servicesStatus } from './status.js';
export { cachePaths, type CachePaths } from './paths.js';
export { ensureKafkaJars, specTopics } from './kafka/index.js';
export type {
  ServiceName,
  ServiceReport,
  ServiceState,
  ServicesOptions,
  ServicesResult,
  TopicReport,
} from './types.js';
