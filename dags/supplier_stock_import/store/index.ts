/** SQL of the supplier stock importer: reference lookups and the per-file replace. */
export { knownReferences } from './knownReferences.js';
export { replaceStockFile, type LoadedStockFile } from './replaceStockFile.js';
