import { promises as fs } from 'node:fs';
import { coerceError, redact } from '../platform/index.js';
import {
  brokerAddress,
  ensureKafkaJars,
  ensureSpecTopics,
  findJava,
  formatStorageOnce,
  jarsPresent,
  kafkaVersion,
  ownedBrokerPid,
  probeKafka,
  type KafkaProbe,
  renderServerProperties,
  startBroker,
  stopBroker,
} from './kafka/index.js';
import { cachePaths, displayPath, type CachePaths } from './paths.js';
import { probePostgres, rememberStartedCluster, startPostgres } from './postgres.js';
import { isLocalHost, portOpen, withLockFile } from './process.js';
import { probeRedis, redisAddress, startRedis } from './redis.js';
import type { ServiceProbe, ServiceReport, ServicesOptions, ServicesResult, TopicReport } from './types.js';

const DEFAULT_START_TIMEOUT_MS = 120_000;

/**
 * Makes PostgreSQL, Redis and Kafka answer: each one that already answers is used as it is;
 * a missing one is started from what this machine has (system PostgreSQL/Redis, a Kafka broker
 * from Maven Central jars). Then creates the SPEC topics. Never throws for a service problem:
 * the report says what is missing.
 */
export async function servicesUp(options: ServicesOptions): Promise<ServicesResult> {
  const started = Date.now();
  const paths = cachePaths(options.config);
  const timeoutMs = options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  const wanted = new Set(options.services ?? ['postgres', 'redis', 'kafka']);
  const steps = {
    postgres: () => postgresUp(options, paths, timeoutMs),
    redis: () => redisUp(options, paths, timeoutMs),
    kafka: () => kafkaUp(options, paths, timeoutMs),
  };
  const services = await Promise.all(
    (['postgres', 'redis', 'kafka'] as const).filter((s) => wanted.has(s)).map((s) => timed(steps[s])),
  );
  let topics: TopicReport[] = [];
  const kafka = services.find((s) => s.service === 'kafka');
  if (kafka?.ok) {
    const t0 = Date.now();
    try {
      topics = await ensureSpecTopics(options.config, [...options.config.KAFKA_BROKERS], options.logger);
    } catch (err) {
      Object.assign(kafka, { ok: false, detail: `topics could not be created: ${coerceError(err).message}` });
    }
    kafka.ms += Date.now() - t0;
  }
  return { command: 'up', ok: services.every((s) => s.ok), services, topics, ms: Date.now() - started };
}

/** Runs a step (which reports its own failures) and stamps the time it took. */
async function timed(step: () => Promise<Omit<ServiceReport, 'ms'>>): Promise<ServiceReport> {
  const t0 = Date.now();
  const report = await step();
  return { ...report, ms: Date.now() - t0 };
}

/**
 * The shape PostgreSQL and Redis share: a server that answers is used as it is; otherwise `start`
 * runs, and the server is probed again for its version.
 */
async function probeOrStart(
  service: 'postgres' | 'redis',
  url: string,
  probe: (url: string) => Promise<ServiceProbe>,
  options: ServicesOptions,
  start: () => Promise<{ pid?: number; detail: (after: ServiceProbe) => string }>,
): Promise<Omit<ServiceReport, 'ms'>> {
  const where = redact(url);
  const before = await probe(url);
  if (before.answering) {
    return {
      service,
      ok: true,
      state: 'already running',
      where,
      version: before.version,
      managed: false,
      detail: before.detail,
    };
  }
  options.onProgress?.(`${service}: not answering at ${where} (${before.detail}); starting it`);
  try {
    const started = await start();
    const after = await probe(url);
    return {
      service,
      ok: true,
      state: 'started',
      where,
      version: after.version,
      managed: true,
      ...(started.pid !== undefined ? { pid: started.pid } : {}),
      detail: started.detail(after),
    };
  } catch (err) {
    return { service, ok: false, state: 'failed', where, managed: false, detail: coerceError(err).message };
  }
}

function postgresUp(
  options: ServicesOptions,
  paths: CachePaths,
  timeoutMs: number,
): Promise<Omit<ServiceReport, 'ms'>> {
  const url = options.config.DATABASE_URL;
  return probeOrStart('postgres', url, probePostgres, options, async () => {
    const cluster = await startPostgres(url, timeoutMs);
    await rememberStartedCluster(paths.postgres.startedMarker, cluster);
    return {
      detail: (after) =>
        [`cluster ${cluster.version}/${cluster.name}`, after.detail].filter(Boolean).join('; '),
    };
  });
}

function redisUp(
  options: ServicesOptions,
  paths: CachePaths,
  timeoutMs: number,
): Promise<Omit<ServiceReport, 'ms'>> {
  const url = options.config.REDIS_URL;
  return probeOrStart('redis', url, probeRedis, options, async () => {
    const { port } = redisAddress(url);
    const files = { dir: paths.redis.dir, pid: paths.redis.pid(port), log: paths.redis.log(port) };
    const pid = await startRedis(url, files, timeoutMs);
    return { pid, detail: () => `log ${displayPath(files.log)}` };
  });
}

async function kafkaUp(
  options: ServicesOptions,
  paths: CachePaths,
  timeoutMs: number,
): Promise<Omit<ServiceReport, 'ms'>> {
  const address = brokerAddress(options.config.KAFKA_BROKERS);
  const where = `${address.host}:${address.port}`;
  const report = (
    r: Partial<ServiceReport> & Pick<ServiceReport, 'ok' | 'state'>,
  ): Omit<ServiceReport, 'ms'> => ({
    service: 'kafka',
    where,
    managed: false,
    ...r,
  });
  const running = async (probe: KafkaProbe) => {
    const owned = await ownedBrokerPid(paths.kafka);
    return owned !== undefined
      ? report({
          ok: true,
          state: 'already running',
          managed: true,
          pid: owned,
          detail: `started by wareflow; log ${displayPath(paths.kafka.log)}`,
        })
      : report({
          ok: true,
          state: 'already running',
          detail: `cluster ${probe.clusterId}; not started by wareflow`,
        });
  };
  try {
    // A broker that answers is used as it is; nothing is written (the cache may be read-only).
    const first = await probeKafka(address.host, address.port);
    if (first.kafka) return await running(first);
    if (!isLocalHost(address.host)) {
      return report({
        ok: false,
        state: 'failed',
        detail: `Kafka does not answer at ${where} (${first.detail}), and that host is not this machine`,
      });
    }
    await fs.mkdir(paths.kafka.dir, { recursive: true });
    // One starter at a time per cache folder: a second `up` waits, then finds the broker running.
    return await withLockFile(paths.kafka.lock, timeoutMs + 300_000, async () => {
      const before = await probeKafka(address.host, address.port);
      if (before.kafka) return await running(before);
      const owned = await ownedBrokerPid(paths.kafka);
      if (before.portOpen && owned === undefined) {
        return report({
          ok: false,
          state: 'failed',
          detail: `${where} is taken by something that does not answer as Kafka (${before.detail}); free the port or set KAFKA_BROKERS`,
        });
      }
      if (owned !== undefined) {
        // Our broker is running but not answering (still starting, or hung): let it go and start anew.
        options.onProgress?.(`kafka: broker pid ${owned} does not answer (${before.detail}); restarting it`);
        await stopBroker(paths.kafka, owned);
      }
      if (await portOpen(address.host, address.port + 1)) {
        return report({
          ok: false,
          state: 'failed',
          detail: `the controller port ${address.port + 1} (broker port + 1) is taken; free it or choose another port in KAFKA_BROKERS`,
        });
      }
      const { java } = await findJava();
      if (!(await jarsPresent(paths.kafka.lib))) {
        options.onProgress?.(
          `kafka: fetching Apache Kafka jars from Maven Central into ${displayPath(paths.kafka.lib)} (once)`,
        );
      }
      await ensureKafkaJars(paths.kafka);
      await renderServerProperties(paths.kafka, address);
      if (await formatStorageOnce(paths.kafka, java)) {
        options.onProgress?.(`kafka: formatted KRaft storage in ${displayPath(paths.kafka.data)}`);
      }
      options.onProgress?.(`kafka: starting the broker on ${where} (log ${displayPath(paths.kafka.log)})`);
      const outcome = await startBroker(paths.kafka, java, address, timeoutMs);
      if (outcome.pid === undefined) {
        return report({
          ok: true,
          state: 'already running',
          detail: `cluster ${outcome.probe.clusterId}; another process started it meanwhile`,
        });
      }
      return report({
        ok: true,
        state: 'started',
        managed: true,
        pid: outcome.pid,
        version: `Kafka ${await kafkaVersion(paths.kafka.pom)}`,
        detail: `cluster ${outcome.probe.clusterId}; log ${displayPath(paths.kafka.log)}`,
      });
    });
  } catch (err) {
    return report({ ok: false, state: 'failed', detail: coerceError(err).message });
  }
}
