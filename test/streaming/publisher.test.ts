import { expect } from 'chai';
import { Partitioners, type PartitionMetadata } from 'kafkajs';
import { createLogger, ensureTopics } from '../../platform/index.js';
import { kafkajsBroker, type Broker, type Publisher } from '../../streaming/transport/index.js';
import { TEST_KAFKA_BROKERS, testTopicSuffix } from '../support/isolation.js';
import { readTopic, testKafka } from './support.js';

describe('streaming: publishing to Kafka', function () {
  this.timeout(60_000);
  const topic = `wftest-publish${testTopicSuffix()}`;
  const keyed = `wftest-publish-keyed${testTopicSuffix()}`;
  let broker: Broker;
  let publisher: Publisher;

  before(async function () {
    await ensureTopics(testKafka(), [
      { topic, numPartitions: 1 },
      { topic: keyed, numPartitions: 3 },
    ]);
    broker = kafkajsBroker(TEST_KAFKA_BROKERS, createLogger({ level: 'silent' }));
    publisher = await broker.publisher();
  });

  after(async function () {
    await publisher?.close();
    const admin = testKafka().admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic, keyed] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('delivers, in order, one send larger than the broker takes in one record batch', async function () {
    // 3,000 messages of 1 KB for one partition: 3 MB, three times the broker's message.max.bytes.
    const body = 'x'.repeat(1_000);
    const messages = Array.from({ length: 3_000 }, (_, i) => ({ key: 'k', value: `${i}:${body}` }));
    await publisher.send(topic, messages);
    const read = await readTopic(testKafka(), topic, messages.length);
    expect(read.map((m) => m.value!.toString().split(':')[0])).to.deep.equal(
      messages.map((_, i) => String(i)),
    );
  });

  it("puts every keyed message on the partition kafkajs's default partitioner chooses for its key, however often the key comes", async function () {
    const keys = Array.from({ length: 60 }, (_, i) => `SKU-${i}:WH-${i % 7}`);
    const messages = [...keys, ...keys, ...keys].map((key, i) => ({ key, value: String(i) }));
    await publisher.send(keyed, messages);
    const records = await broker.readTopic(keyed);
    expect(records).to.have.length(messages.length);
    const choose = Partitioners.DefaultPartitioner();
    const partitionMetadata = [0, 1, 2].map(
      (partitionId) => ({ partitionId, leader: 0 }) as PartitionMetadata,
    );
    for (const r of records) {
      const message = { key: r.key!.toString(), value: r.value };
      expect(r.partition, message.key).to.equal(choose({ topic: keyed, partitionMetadata, message }));
    }
  });
});
