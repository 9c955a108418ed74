import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The sidecar's Prometheus metrics, on a registry of its own (several sidecars may share a process in tests). */
export function createStreamingMetrics(options: { defaultMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    messagesProcessed: new Counter({
      name: 'messages_processed_total',
      help: 'Messages consumed, by topic and outcome (applied, duplicate, dlq)',
      labelNames: ['topic', 'status'] as const,
      registers,
    }),
    processingSeconds: new Histogram({
      name: 'message_processing_seconds',
      help: 'Time from a message being appended to Kafka to its batch being committed in PostgreSQL',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    batchSeconds: new Histogram({
      name: 'streaming_batch_seconds',
      help: 'Wall time to process one batch, from receipt to commit',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    consumerLag: new Gauge({
      name: 'consumer_lag',
      help: 'Messages between the last applied offset and the partition high watermark',
      labelNames: ['topic', 'partition'] as const,
      registers,
    }),
    anomalies: new Counter({
      name: 'anomalies_detected_total',
      help: 'Anomalies detected, by rule',
      labelNames: ['type'] as const,
      registers,
    }),
    dlq: new Counter({
      name: 'dlq_messages_total',
      help: 'Messages sent to the dead-letter topic, by reason',
      labelNames: ['reason'] as const,
      registers,
    }),
    windowsClosed: new Counter({
      name: 'windows_closed_total',
      help: 'Event-time windows closed by the watermark, by kind',
      labelNames: ['kind'] as const,
      registers,
    }),
    lateEvents: new Counter({
      name: 'late_events_total',
      help: 'Event/window pairs where the event arrived after the window had closed (the event is still applied)',
      registers,
    }),
    alerts: new Counter({
      name: 'alerts_raised_total',
      help: 'Alerts opened or escalated (repeats of an open alert are not counted), by type and severity',
      labelNames: ['type', 'severity'] as const,
      registers,
    }),
    retries: new Counter({
      name: 'streaming_batch_retries_total',
      help: 'Batches retried because a dependency (PostgreSQL, Kafka) failed',
      registers,
    }),
  };
}

export type StreamingMetrics = ReturnType<typeof createStreamingMetrics>;
