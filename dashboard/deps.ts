import type { Logger } from '../platform/index.js';
import type { AccessPolicy } from './access.js';
import type { DagCatalog } from './dagCatalog.js';
import type { DashboardEngine } from './engine.js';
import type { WarehouseReads } from './warehouseReads.js';

/** What route modules receive: built once by `createDashboard`. */
export interface RouteDeps {
  engine: DashboardEngine;
  catalog: DagCatalog;
  reads: WarehouseReads;
  policy: AccessPolicy;
  logger: Logger;
}
