import { coerceError, redact } from '../platform/index.js';
import { brokerAddress, ownedBrokerPid, probeKafka, stopBroker } from './kafka/index.js';
import { cachePaths } from './paths.js';
import { probePostgres, readStartedCluster, rememberStartedCluster, stopPostgres } from './postgres.js';
import { ownedRedisPid, probeRedis, redisAddress, stopRedis } from './redis.js';
import type { ServiceReport, ServicesOptions, ServicesResult } from './types.js';

/**
 * Stops only what `services up` started: the Kafka broker of this cache folder (its pid file),
 * a redis-server it started, a PostgreSQL cluster it started. Anything else is left running.
 */
export async function servicesDown(
  options: Pick<ServicesOptions, 'config' | 'onProgress'>,
): Promise<ServicesResult> {
  const started = Date.now();
  const { config } = options;
  const paths = cachePaths(config);

  const step = async (
    service: ServiceReport['service'],
    where: string,
    stop: () => Promise<{ stopped: boolean; pid?: number; detail?: string }>,
    answering: () => Promise<boolean>,
  ): Promise<ServiceReport> => {
    const t0 = Date.now();
    try {
      const result = await stop();
      if (result.stopped) {
        return {
          service,
          ok: true,
          state: 'stopped',
          where,
          managed: true,
          pid: result.pid,
          detail: result.detail,
          ms: Date.now() - t0,
        };
      }
      const up = await answering();
      return {
        service,
        ok: true,
        state: up ? 'left running' : 'not running',
        where,
        managed: false,
        detail: up ? 'not started by wareflow' : undefined,
        ms: Date.now() - t0,
      };
    } catch (err) {
      return {
        service,
        ok: false,
        state: 'failed',
        where,
        managed: true,
        detail: coerceError(err).message,
        ms: Date.now() - t0,
      };
    }
  };

  const address = brokerAddress(config.KAFKA_BROKERS);
  const redisPort = redisAddress(config.REDIS_URL).port;
  const services = await Promise.all([
    step(
      'postgres',
      redact(config.DATABASE_URL),
      async () => {
        const cluster = await readStartedCluster(paths.postgres.startedMarker);
        if (!cluster || cluster.port !== Number(new URL(config.DATABASE_URL).port || 5432))
          return { stopped: false };
        options.onProgress?.(`postgres: stopping cluster ${cluster.version}/${cluster.name}`);
        await stopPostgres(cluster);
        await rememberStartedCluster(paths.postgres.startedMarker, undefined);
        return { stopped: true, detail: `cluster ${cluster.version}/${cluster.name}` };
      },
      async () => (await probePostgres(config.DATABASE_URL)).answering,
    ),
    step(
      'redis',
      redact(config.REDIS_URL),
      async () => {
        const pid = await ownedRedisPid(paths.redis.pid(redisPort));
        if (pid === undefined) return { stopped: false };
        options.onProgress?.(`redis: stopping redis-server pid ${pid}`);
        await stopRedis(pid, paths.redis.pid(redisPort));
        return { stopped: true, pid };
      },
      async () => (await probeRedis(config.REDIS_URL)).answering,
    ),
    step(
      'kafka',
      `${address.host}:${address.port}`,
      async () => {
        const pid = await ownedBrokerPid(paths.kafka);
        if (pid === undefined) return { stopped: false };
        options.onProgress?.(`kafka: stopping broker pid ${pid} (controlled shutdown)`);
        const how = await stopBroker(paths.kafka, pid);
        return {
          stopped: true,
          pid,
          detail: how === 'killed' ? 'did not stop within 60 s; killed' : undefined,
        };
      },
      async () => (await probeKafka(address.host, address.port)).kafka,
    ),
  ]);
  return { command: 'down', ok: services.every((s) => s.ok), services, topics: [], ms: Date.now() - started };
}
