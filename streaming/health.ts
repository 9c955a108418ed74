/** The sidecar's /health and /metrics server is the one every wareflow process uses. */
export {
  runChecks,
  startHealthServer,
  registerDependencyGauge,
  type HealthCheck,
  type HealthServer,
} from '../platform/index.js';
