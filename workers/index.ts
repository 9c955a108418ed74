/** The worker process: BullMQ workers that run task instances, and its metrics endpoint. */
export { createTaskWorker, type TaskWorker, type TaskWorkerOptions } from './taskWorker.js';
export { startMetricsServer } from './metricsServer.js';
