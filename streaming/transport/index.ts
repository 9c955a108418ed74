/** The broker port the pipeline consumes and produces through, and its implementations. */
export type {
  BatchControl,
  BatchHandler,
  Broker,
  GroupConsumer,
  GroupConsumerOptions,
  InboundBatch,
  InboundMessage,
  OutboundMessage,
  PartitionEnds,
  Publisher,
  TopicRecord,
} from './broker.js';
export { RebalanceError, isRebalance } from './errors.js';
export { kafkajsBroker, translateKafkajsError } from './kafkajsBroker.js';
export { PartitionLanes } from './partitionLanes.js';
export {
  memoryBroker,
  type MemoryBroker,
  type MemoryBrokerOptions,
  type MemoryRecord,
} from './memoryBroker.js';
