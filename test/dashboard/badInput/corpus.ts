import type { BadInput } from './case.js';
import { FORM_CASES, bodyCases } from './bodies.js';
import { identifierCases } from './identifiers.js';
import { BAD_FILTERS, UNKNOWN_IDS, badDates, pagination, unknownFilters } from './queries.js';

export type { BadInput } from './case.js';

/** The whole corpus: every case of every file beside this one. */
export const CORPUS: BadInput[] = [
  ...bodyCases('/api/dags/demo_etl/runs'),
  ...bodyCases('/api/dags/demo_etl', 'PATCH'),
  ...bodyCases('/api/dags/demo_etl/backfills'),
  ...bodyCases('/api/runs/1/clear'),
  ...pagination('/api/runs'),
  ...pagination('/api/alerts'),
  ...pagination('/api/stock'),
  ...pagination('/runs'),
  ...pagination('/stock'),
  ...badDates('/api/alerts', 'since'),
  ...badDates('/api/stream/windows', 'from'),
  ...badDates('/alerts', 'since'),
  ...[
    '/api/stock',
    '/api/reorders',
    '/api/reports/weekly',
    '/stock',
    '/reorders',
    '/api/runs',
    '/api/alerts',
  ].map(unknownFilters),
  ...identifierCases(),
  ...UNKNOWN_IDS,
  ...BAD_FILTERS,
  ...FORM_CASES,
];
