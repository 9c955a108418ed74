/**
 * Names for the statements every chunk runs (`trx.raw(…).options(PREPARED.x)`): pg prepares each
 * once per pooled connection, and PostgreSQL stops parsing and planning these many-CTE statements
 * on every chunk, which weighs most at low rates, where chunks are small and many.
 */
export const PREPARED = {
  insert_events: { name: 'wareflow_insert_events' },
  add_to_levels: { name: 'wareflow_add_to_levels' },
  write_chunk_outputs: { name: 'wareflow_write_chunk_outputs' },
} as const;
