import type { Config, Logger } from '../platform/index.js';

export type ServiceName = 'postgres' | 'redis' | 'kafka';

/** What one look at a PostgreSQL or Redis server found. */
export interface ServiceProbe {
  /** The server answered (even if, for PostgreSQL, the database itself does not exist yet). */
  answering: boolean;
  version?: string;
  /** Why it is not usable, or a note (a database still to be created). */
  detail?: string;
}

/**
 * What one command found or did for one service.
 * - `already running`: it answered before we did anything (`up`).
 * - `started`: `up` started it and it now answers.
 * - `up` / `down`: what `status` saw.
 * - `stopped`: `down` stopped it. `not running`: `down` had nothing to stop.
 * - `left running`: `down` saw it answering but wareflow did not start it.
 * - `failed`: it does not answer and could not be started (or stopped); `detail` says why.
 */
export type ServiceState =
  'already running' | 'started' | 'up' | 'down' | 'stopped' | 'not running' | 'left running' | 'failed';

export interface ServiceReport {
  service: ServiceName;
  /** False only when this service is a problem for the command that produced the report. */
  ok: boolean;
  state: ServiceState;
  /** Where the service is: a URL with its password hidden, or host:port. */
  where: string;
  /** Milliseconds this command spent on the service. */
  ms: number;
  /** Server version, where it tells. */
  version?: string;
  /** Whether wareflow started it (and so `services down` will stop it). */
  managed: boolean;
  /** Process id of a service wareflow manages. */
  pid?: number;
  /** A problem, or a note for the user (log file, cluster id…). */
  detail?: string;
}

export interface TopicReport {
  topic: string;
  partitions: number;
}

export interface ServicesResult {
  command: 'up' | 'down' | 'status';
  ok: boolean;
  services: ServiceReport[];
  /** SPEC topics that `up` made sure of (empty when Kafka is not up). */
  topics: TopicReport[];
  ms: number;
}

export interface ServicesOptions {
  config: Config;
  logger: Logger;
  /** Called with a line of progress for slow steps (jar download, storage format, start). */
  onProgress?: (message: string) => void;
  /** The services `up` brings up. @defaultValue all three */
  services?: readonly ServiceName[];
  /**
   * How long `up` waits for each service to answer after starting it.
   * @defaultValue 120000
   */
  startTimeoutMs?: number;
}
