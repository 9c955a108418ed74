import { redact } from '../platform/index.js';
import { brokerAddress, ownedBrokerPid, probeKafka } from './kafka/index.js';
import { cachePaths, displayPath } from './paths.js';
import { probePostgres } from './postgres.js';
import { ownedRedisPid, probeRedis, redisAddress } from './redis.js';
import type { ServiceReport, ServicesOptions, ServicesResult } from './types.js';

/** Reports whether each service answers, starting nothing. `ok` is false when one is down. */
export async function servicesStatus(options: Pick<ServicesOptions, 'config'>): Promise<ServicesResult> {
  const started = Date.now();
  const { config } = options;
  const paths = cachePaths(config);

  const postgres = async (): Promise<ServiceReport> => {
    const t0 = Date.now();
    const probe = await probePostgres(config.DATABASE_URL);
    return {
      service: 'postgres',
      ok: probe.answering,
      state: probe.answering ? 'up' : 'down',
      where: redact(config.DATABASE_URL),
      version: probe.version,
      managed: false,
      detail: probe.detail,
      ms: Date.now() - t0,
    };
  };
  const redis = async (): Promise<ServiceReport> => {
    const t0 = Date.now();
    const probe = await probeRedis(config.REDIS_URL);
    const pid = await ownedRedisPid(paths.redis.pid(redisAddress(config.REDIS_URL).port));
    return {
      service: 'redis',
      ok: probe.answering,
      state: probe.answering ? 'up' : 'down',
      where: redact(config.REDIS_URL),
      version: probe.version,
      managed: pid !== undefined,
      pid,
      detail: probe.detail,
      ms: Date.now() - t0,
    };
  };
  const kafka = async (): Promise<ServiceReport> => {
    const t0 = Date.now();
    const address = brokerAddress(config.KAFKA_BROKERS);
    const probe = await probeKafka(address.host, address.port);
    const pid = await ownedBrokerPid(paths.kafka);
    const owner =
      pid !== undefined
        ? `started by wareflow; log ${displayPath(paths.kafka.log)}`
        : 'not started by wareflow';
    return {
      service: 'kafka',
      ok: probe.kafka,
      state: probe.kafka ? 'up' : 'down',
      where: `${address.host}:${address.port}`,
      managed: pid !== undefined,
      pid,
      detail: probe.kafka
        ? `cluster ${probe.clusterId}; ${owner}`
        : pid !== undefined
          ? `${probe.detail}; ${owner}`
          : probe.detail,
      ms: Date.now() - t0,
    };
  };

  const services = await Promise.all([postgres(), redis(), kafka()]);
  return {
    command: 'status',
    ok: services.every((s) => s.ok),
    services,
    topics: [],
    ms: Date.now() - started,
  };
}
