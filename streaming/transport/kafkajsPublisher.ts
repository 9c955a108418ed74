import { CompressionTypes, type ICustomPartitioner, type Producer } from 'kafkajs';
import type { OutboundMessage, Publisher } from './broker.js';

/**
 * Most bytes of messages per produce request. A request's messages for one partition form one
 * record batch, and the broker refuses a batch over its `message.max.bytes` (1 MB by default).
 */
const MAX_REQUEST_BYTES = 512 * 1024;
/**
 * Most messages per produce request. kafkajs groups a send's messages by partition copying the
 * partition's array for each message (time and garbage quadratic in the messages per partition):
 * a chunk that closes 2,000 windows spent more in that than in all the rest of publishing.
 */
const MAX_REQUEST_MESSAGES = 250;
/** Keys whose partition a producer remembers, per topic, before it forgets them all. */
const REMEMBERED_KEYS = 100_000;

/**
 * `partitioner` (kafkajs's default), remembering the partition of each string key: kafkajs's
 * murmur2 runs on its 64-bit Long emulation, and the sidecar publishes the same few thousand pair
 * keys over and over. For a key the default partitioner depends only on the key and the topic's
 * partition count, so the remembered partition is the one it would choose.
 */
export function rememberingPartitioner(partitioner: ICustomPartitioner): ICustomPartitioner {
  return () => {
    const choose = partitioner();
    const byTopic = new Map<string, { partitions: number; keys: Map<string, number> }>();
    return (args) => {
      const { topic, partitionMetadata, message } = args;
      if (typeof message.key !== 'string' || (message.partition ?? null) !== null) return choose(args);
      let t = byTopic.get(topic);
      if (!t || t.partitions !== partitionMetadata.length || t.keys.size >= REMEMBERED_KEYS) {
        byTopic.set(topic, (t = { partitions: partitionMetadata.length, keys: new Map() }));
      }
      let partition = t.keys.get(message.key);
      if (partition === undefined) t.keys.set(message.key, (partition = choose(args)));
      return partition;
    };
  };
}

/** A record's framing besides key, value and headers, rounded up. */
const RECORD_OVERHEAD_BYTES = 32;

/** The Publisher port on a kafkajs producer (made with `rememberingPartitioner`). */
export function kafkajsPublisher(producer: Producer): Publisher {
  return {
    /**
     * Sends in requests of at most MAX_REQUEST_BYTES and MAX_REQUEST_MESSAGES, one after another
     * so a partition keeps the order. A chunk that closes many windows at once (a backlog of
     * sparse traffic) would otherwise be refused by the broker every time it is retried.
     */
    async send(topic, messages) {
      for (const slice of bySize(messages, MAX_REQUEST_BYTES)) {
        await producer.send({ topic, messages: slice, acks: -1, compression: CompressionTypes.None });
      }
    },
    async close() {
      await producer.disconnect();
    },
  };
}

/**
 * Consecutive slices of `messages`, each of at most `maxBytes` (unless one message alone is
 * larger) and MAX_REQUEST_MESSAGES.
 */
function* bySize(messages: readonly OutboundMessage[], maxBytes: number): Generator<OutboundMessage[]> {
  let slice: OutboundMessage[] = [];
  let bytes = 0;
  for (const m of messages) {
    let size = RECORD_OVERHEAD_BYTES + byteLength(m.value) + byteLength(m.key);
    for (const [k, v] of Object.entries(m.headers ?? {})) size += byteLength(k) + byteLength(v);
    if (slice.length > 0 && (bytes + size > maxBytes || slice.length >= MAX_REQUEST_MESSAGES)) {
      yield slice;
      slice = [];
      bytes = 0;
    }
    slice.push(m);
    bytes += size;
  }
  if (slice.length > 0) yield slice;
}

const byteLength = (v: string | Buffer | null | undefined): number =>
  v === null || v === undefined ? 0 : Buffer.byteLength(v);
