/** The local single-node KRaft broker of `wareflow services`: jars, storage, process, probe, topics. */
export {
  brokerAddress,
  findJava,
  formatStorageOnce,
  ownedBrokerPid,
  renderServerProperties,
  startBroker,
  stopBroker,
  type BrokerAddress,
} from './broker.js';
export { ensureKafkaJars, jarsPresent, kafkaVersion } from './jars.js';
export { probeKafka, type KafkaProbe } from './probe.js';
export { ensureSpecTopics, specTopics } from './topics.js';
