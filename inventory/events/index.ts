/** The inventory event contract shared by producers (generator) and the streaming sidecar. */
export * from './contract.js';
