import { expect } from 'chai';
import { createLogger, ensureTopics } from '../../platform/index.js';
import { kafkajsBroker, type Publisher } from '../../streaming/transport/index.js';
import { TEST_KAFKA_BROKERS, testTopicSuffix } from '../support/isolation.js';
import { readTopic, testKafka } from './support.js';

describe('streaming: publishing to Kafka', function () {
  this.timeout(60_000);
  const topic = `wftest-publish${testTopicSuffix()}`;
  let publisher: Publisher;

  before(async function () {
    await ensureTopics(testKafka(), [{ topic, numPartitions: 1 }]);
    publisher = await kafkajsBroker(TEST_KAFKA_BROKERS, createLogger({ level: 'silent' })).publisher();
  });

  after(async function () {
    await publisher?.close();
    const admin = testKafka().admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
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
});
