/** SQL of the hourly aggregation: stage the hour, load it, refresh each pair's velocity. */
export { stageTransactionAggregates } from './stageTransactionAggregates.js';
export { loadStagedAggregates } from './loadStagedAggregates.js';
export { refreshPairVelocity } from './refreshPairVelocity.js';
