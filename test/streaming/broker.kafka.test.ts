import { expect } from 'chai';
import { createLogger } from '../../platform/index.js';
import { kafkajsBroker, RebalanceError, translateKafkajsError } from '../../streaming/transport/index.js';
import { TEST_KAFKA_BROKERS } from '../support/isolation.js';
import { brokerConformance } from './brokerConformance.js';

brokerConformance('kafkajs', () => kafkajsBroker(TEST_KAFKA_BROKERS, createLogger({ level: 'silent' })), {
  timeoutMs: 30_000,
});

describe('kafkajs broker: errors', function () {
  it('turns the kafkajs errors of a lost partition into RebalanceError, keeping the original as its cause', function () {
    for (const err of [
      Object.assign(new Error('The group is rebalancing'), {
        name: 'KafkaJSProtocolError',
        type: 'REBALANCE_IN_PROGRESS',
      }),
      Object.assign(new Error('gen'), { name: 'KafkaJSProtocolError', type: 'ILLEGAL_GENERATION' }),
      Object.assign(new Error('member'), { name: 'KafkaJSProtocolError', type: 'UNKNOWN_MEMBER_ID' }),
      Object.assign(new Error('not implemented'), { name: 'KafkaJSNotImplemented' }),
    ]) {
      let thrown: unknown;
      try {
        translateKafkajsError(err);
      } catch (e) {
        thrown = e;
      }
      expect(thrown).to.be.instanceOf(RebalanceError);
      expect((thrown as RebalanceError).cause).to.equal(err);
    }
  });

  it('rethrows any other error unchanged', function () {
    const err = Object.assign(new Error('broker down'), { name: 'KafkaJSConnectionError', retriable: true });
    expect(() => translateKafkajsError(err)).to.throw(err);
  });
});
