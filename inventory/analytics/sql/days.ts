/**
 * SQL fragments for whole UTC days. A day travels as 'YYYY-MM-DD' text and becomes a timestamptz
 * bound with `AT TIME ZONE 'UTC'`, so the session time zone never shifts a window.
 */
export const dayStart = (param: string) => `(CAST(:${param} AS date)::timestamp AT TIME ZONE 'UTC')`;
export const dayEnd = (param: string) => `((CAST(:${param} AS date) + 1)::timestamp AT TIME ZONE 'UTC')`;
export const utcDate = (column: string) => `(${column} AT TIME ZONE 'UTC')::date`;

/** Event types that move `quantity_reserved` instead of `quantity_on_hand` (SPEC §3). */
export const RESERVATION_TYPES_SQL = `('RESERVATION','RESERVATION_RELEASE')`;
