import { expect } from 'chai';
import { waitFor } from '../support/wait.js';
import { testTopicSuffix, uniqueSuffix } from '../support/isolation.js';
import type { BatchHandler, Broker, GroupConsumer, InboundMessage } from '../../streaming/transport/index.js';

/**
 * What every Broker implementation promises the pipeline (bullmq's adapter conformance suite is
 * the model): the same specs run against the in-memory broker and the kafkajs one.
 */
export function brokerConformance(
  name: string,
  makeBroker: () => Broker,
  options: { timeoutMs: number },
): void {
  describe(`Broker port conformance: ${name}`, function () {
    this.timeout(options.timeoutMs * 3);
    let broker: Broker;
    let topic: string;
    const consumers: GroupConsumer[] = [];

    beforeEach(async function () {
      broker = makeBroker();
      topic = `wftest-conformance${testTopicSuffix()}`;
      await broker.ensureTopics([{ topic, numPartitions: 1 }]);
    });

    afterEach(async function () {
      for (const c of consumers.splice(0)) await c.stop();
    });

    const produce = async (values: string[]) => {
      const publisher = await broker.publisher();
      await publisher.send(
        topic,
        values.map((value) => ({ key: 'k', value, headers: { h: value } })),
      );
      await publisher.close();
    };
    const consume = async (groupId: string, handler: BatchHandler) => {
      const consumer = broker.consumer({ groupId, topic, concurrency: 1, sessionTimeoutMs: 6_000 });
      consumers.push(consumer);
      await consumer.run(handler);
      return consumer;
    };
    const values = (messages: InboundMessage[]) => messages.map((m) => m.value!.toString());
    const wait = <T>(what: string, probe: () => T | false | undefined) =>
      waitFor(what, probe, { timeoutMs: options.timeoutMs });

    it('hands produced messages to the handler in offset order, with their keys', async function () {
      await produce(['a', 'b', 'c']);
      const seen: InboundMessage[] = [];
      await consume(`wftest-g-${uniqueSuffix()}`, async (batch) => void seen.push(...batch.messages));
      await wait('three messages', () => seen.length >= 3);
      expect(values(seen)).to.deep.equal(['a', 'b', 'c']);
      expect(seen.map((m) => m.offset)).to.deep.equal(['0', '1', '2']);
      expect(seen.map((m) => m.key?.toString())).to.deep.equal(['k', 'k', 'k']);
    });

    it('gives each partition’s ends: every message acknowledged before the call lies below its end', async function () {
      expect(await broker.endOffsets(topic)).to.deep.equal([{ partition: 0, low: '0', high: '0' }]);
      await produce(['a', 'b', 'c']);
      expect(await broker.endOffsets(topic)).to.deep.equal([{ partition: 0, low: '0', high: '3' }]);
    });

    it('a new member of the group starts after what the previous one marked done', async function () {
      await produce(['a', 'b', 'c', 'd', 'e']);
      const groupId = `wftest-g-${uniqueSuffix()}`;
      const seen: InboundMessage[] = [];
      const first = await consume(groupId, async (batch, control) => {
        seen.push(...batch.messages);
        if (seen.length >= 3) control.markDone('3');
      });
      await wait('five messages', () => seen.length >= 5);
      await first.stop();
      consumers.splice(consumers.indexOf(first), 1);

      const again: InboundMessage[] = [];
      await consume(groupId, async (batch) => void again.push(...batch.messages));
      await wait('the messages after the committed offset', () => again.length >= 2);
      expect(values(again)).to.deep.equal(['d', 'e']);
    });

    it('a seek hands the partition again from the given offset and makes the batch in hand stale', async function () {
      await produce(['a', 'b', 'c', 'd']);
      const seen: string[] = [];
      let sought = false;
      let staleAfterSeek: boolean | undefined;
      await consume(`wftest-g-${uniqueSuffix()}`, async (batch, control) => {
        seen.push(...values(batch.messages));
        if (!sought && seen.includes('d')) {
          sought = true;
          control.seek('1');
          staleAfterSeek = !control.isActive();
        }
      });
      await wait('the messages again from offset 1', () => seen.length >= 7);
      expect(staleAfterSeek).to.equal(true);
      expect(seen.slice(-3)).to.deep.equal(['b', 'c', 'd']);
    });
  });
}
