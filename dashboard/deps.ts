import type { Knex, Logger } from '../platform/index.js';
import type { AccessPolicy } from './access.js';
import type { DagCatalog } from './dagCatalog.js';
import type { DashboardEngine } from './engine.js';

/** What route modules receive: built once by `createDashboard`. */
export interface RouteDeps {
  engine: DashboardEngine;
  catalog: DagCatalog;
  knex: Knex;
  policy: AccessPolicy;
  logger: Logger;
}
