import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../platform/index.js';

/** Folder of this module: the Kafka templates (pom.xml, server.properties) live under it. */
const SERVICES_DIR = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(SERVICES_DIR, '..');

export interface CachePaths {
  root: string;
  kafka: {
    pom: string;
    serverTemplate: string;
    log4j: string;
    dir: string;
    /** Only ever a complete set of jars: Maven fills `libPartial-<pid>`, which is then renamed. */
    lib: string;
    libPartial: string;
    data: string;
    serverProperties: string;
    log: string;
    pid: string;
    lock: string;
  };
  redis: { dir: string; pid: (port: number) => string; log: (port: number) => string };
  postgres: { startedMarker: string };
}

export function cachePaths(config: Pick<Config, 'WAREFLOW_CACHE_DIR'>): CachePaths {
  const root = path.resolve(config.WAREFLOW_CACHE_DIR ?? path.join(REPO_ROOT, '.cache'));
  const kafka = path.join(root, 'kafka');
  const redis = path.join(root, 'redis');
  return {
    root,
    kafka: {
      pom: path.join(SERVICES_DIR, 'kafka', 'pom.xml'),
      serverTemplate: path.join(SERVICES_DIR, 'kafka', 'server.properties'),
      log4j: path.join(SERVICES_DIR, 'kafka', 'log4j.properties'),
      dir: kafka,
      lib: path.join(kafka, 'lib'),
      libPartial: path.join(kafka, 'lib.partial'),
      data: path.join(kafka, 'data'),
      serverProperties: path.join(kafka, 'server.properties'),
      log: path.join(kafka, 'kafka.log'),
      pid: path.join(kafka, 'kafka.pid'),
      lock: path.join(kafka, 'start.lock'),
    },
    redis: {
      dir: redis,
      pid: (port) => path.join(redis, `redis-${port}.pid`),
      log: (port) => path.join(redis, `redis-${port}.log`),
    },
    postgres: { startedMarker: path.join(root, 'postgres', 'started.json') },
  };
}

/** A path as the user should see it: relative to the working directory when inside it. */
export function displayPath(p: string): string {
  const rel = path.relative(process.cwd(), p);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : p;
}
