/** SQL of the demo data generator: master data, bulk ledger writes and levels. */
export {
  upsertProducts,
  upsertWarehouses,
  type ProductInput,
  type WarehouseInput,
} from './upsertMasterData.js';
export { deletePairLedger } from './deletePairLedger.js';
export { insertTransactions, type TransactionColumns } from './insertTransactions.js';
export { upsertLevels, loadLevels, type LevelInput, type CurrentLevel } from './levels.js';
export { insertOpeningStock, type OpeningStock } from './insertOpeningStock.js';
export { skipForeignKeyChecks } from './bulkLoadMode.js';
export { countProducts } from './countProducts.js';
export { analyzeLoadedTables, LOADED_TABLES } from './analyzeLoadedTables.js';
export { deleteIncidentLabels, insertIncidentLabels } from './incidentLabels.js';
export { deletePurchaseOrders, insertPurchaseOrders } from './purchaseOrders.js';
