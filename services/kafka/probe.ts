import { Kafka, coerceError } from '../../platform/index.js';
import { logLevel } from 'kafkajs';
import { portOpen } from '../process.js';

export interface KafkaProbe {
  /** Something accepts connections on the port. */
  portOpen: boolean;
  /** …and it answered a Kafka metadata request. */
  kafka: boolean;
  clusterId?: string;
  detail?: string;
}

/**
 * Is a Kafka broker serving host:port? Port first (cheap), then one metadata request (describe
 * cluster) with no retries, so a probe never waits for kafkajs' backoff.
 */
export async function probeKafka(host: string, port: number, timeoutMs = 3_000): Promise<KafkaProbe> {
  if (!(await portOpen(host, port, Math.min(timeoutMs, 1_000)))) {
    return { portOpen: false, kafka: false, detail: `nothing listens on ${host}:${port}` };
  }
  const kafka = new Kafka({
    clientId: 'wareflow-services-probe',
    brokers: [`${host}:${port}`],
    connectionTimeout: timeoutMs,
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return { portOpen: true, kafka: true, clusterId: cluster.clusterId };
  } catch (thrown) {
    return { portOpen: true, kafka: false, detail: coerceError(thrown).message };
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
