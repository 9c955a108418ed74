import { JSON_TYPE, enc, type BadInput } from './case.js';

export const pagination = (path: string): BadInput[] =>
  (
    [
      ['a negative limit', 'limit=-1', /limit/],
      ['a zero limit', 'limit=0', /limit/],
      ['a huge limit', 'limit=1000000000000', /limit/],
      ['a limit past 2^53', 'limit=99999999999999999999', /limit/],
      ['a fractional limit', 'limit=1.5', /limit/],
      ['a non-numeric limit', 'limit=ten', /limit/],
      ['a hex limit', 'limit=0x10', /limit/],
      ['an exponent limit', 'limit=1e3', /limit/],
      ['an Infinity limit', 'limit=Infinity', /limit/],
      ['a negative offset', 'offset=-5', /offset/],
      ['a huge offset', 'offset=1e20', /offset/],
      ['a non-numeric offset', 'offset=NaN', /offset/],
      ['a repeated limit', 'limit=1&limit=2', /limit/],
    ] as const
  ).map(([what, query, says]) => ({
    name: `GET ${path} with ${what}`,
    path: `${path}?${query}`,
    status: 400,
    says,
  }));

export const badDates = (path: string, field: string): BadInput[] =>
  (
    [
      ['a word', 'yesterday'],
      ['an impossible day', '2026-02-30'],
      ['an impossible month', '2026-13-01'],
      ['a year past 9999', '+275760-09-14T00:00:00Z'],
      ['a number', '1700000000000'],
      ['a zone without a time', '2026-01-01Z'],
    ] as const
  ).map(([what, value]) => ({
    name: `GET ${path} with ${what} as ${field}`,
    path: `${path}?${field}=${enc(value)}`,
    status: 400,
    says: new RegExp(field),
  }));

export const unknownFilters = (path: string): BadInput => ({
  name: `GET ${path} with an unknown filter`,
  path: `${path}?colour=red`,
  status: 400,
  says: /colour/,
});

/** Unknown DAGs, runs, tasks, backfills and weeks: a 404 that names what was not found. */
export const UNKNOWN_IDS: BadInput[] = [
  {
    name: 'GET /api/dags/:dagId of an unknown DAG',
    path: '/api/dags/no_such_dag',
    status: 404,
    says: /no_such_dag/,
  },
  {
    name: 'GET /dags/:dagId (page) of an unknown DAG',
    path: '/dags/no_such_dag',
    status: 404,
    says: /no_such_dag/,
  },
  {
    name: 'GET /api/dags/:dagId/runs of an unknown DAG',
    path: '/api/dags/no_such_dag/runs',
    status: 404,
    says: /no_such_dag/,
  },
  {
    name: 'GET /api/runs/:runId of an unknown run',
    path: '/api/runs/987654321',
    status: 404,
    says: /987654321/,
  },
  {
    name: 'GET /api/runs/:runId past PostgreSQL integers',
    path: '/api/runs/99999999999999',
    status: 404,
    says: /99999999999999/,
  },
  {
    name: 'GET /api/runs/:runId past 2^53',
    path: '/api/runs/99999999999999999999',
    status: 400,
    says: /runId/,
  },
  { name: 'GET /api/runs/:runId of a negative run', path: '/api/runs/-1', status: 400, says: /runId/ },
  { name: 'GET /api/runs/:runId of a word', path: '/api/runs/latest', status: 400, says: /runId/ },
  { name: 'GET /api/runs/:runId of a fraction', path: '/api/runs/1.5', status: 400, says: /runId/ },
  { name: 'GET /api/runs/:runId of hex', path: '/api/runs/0x10', status: 400, says: /runId/ },
  { name: 'GET /api/runs/:runId of an exponent', path: '/api/runs/1e3', status: 400, says: /runId/ },
  {
    name: 'GET /dags/:dagId/runs/:runId (page) of an unknown run',
    path: '/dags/demo_etl/runs/987654321',
    status: 404,
    says: /987654321/,
  },
  {
    name: 'GET /dags/:dagId/runs/:runId (page) of a word',
    path: '/dags/demo_etl/runs/latest',
    status: 400,
    says: /runId/,
  },
  {
    name: 'GET /api/runs/:runId/tasks/:taskId of an unknown run',
    path: '/api/runs/987654321/tasks/extract',
    status: 404,
    says: /987654321/,
  },
  {
    name: 'GET /api/runs/:runId/tasks/:taskId/logs with a bad try',
    path: '/api/runs/1/tasks/extract/logs?try=-1',
    status: 400,
    says: /try/,
  },
  {
    name: 'GET /api/backfills/:id of an unknown backfill',
    path: '/api/backfills/987654321',
    status: 404,
    says: /987654321/,
  },
  { name: 'GET /api/backfills/:id of a word', path: '/api/backfills/abc', status: 400, says: /backfillId/ },
  {
    name: 'GET /api/reports/weekly/:week of a Tuesday',
    path: '/api/reports/weekly/2026-01-06',
    status: 400,
    says: /Monday/,
  },
  {
    name: 'GET /api/reports/weekly/:week of February 30th',
    path: '/api/reports/weekly/2026-02-30',
    status: 400,
    says: /calendar date/,
  },
  {
    name: 'GET /reports/weekly/:week (page) of a word',
    path: '/reports/weekly/last-week',
    status: 400,
    says: /YYYY-MM-DD/,
  },
  {
    name: 'GET /api/stock/:wh/:sku of an unknown pair',
    path: '/api/stock/NO-SUCH-WH/NO-SUCH-SKU',
    status: 404,
    says: /NO-SUCH-SKU/,
  },
  {
    name: 'GET /api/no/such/endpoint',
    path: '/api/no/such/endpoint',
    status: 404,
    says: /no such API endpoint/,
  },
  // A mutation of a DAG that does not exist is a bad request (400), a read of one a 404.
  {
    name: 'POST /api/dags/:dagId/runs of an unknown DAG',
    method: 'POST',
    path: '/api/dags/no_such_dag/runs',
    headers: JSON_TYPE,
    body: '{}',
    status: 400,
    says: /unknown DAG 'no_such_dag'/,
  },
  {
    name: 'POST /api/dags/:dagId/backfills with words as dates',
    method: 'POST',
    path: '/api/dags/demo_etl/backfills',
    headers: JSON_TYPE,
    body: '{"from":"yesterday","to":"2026-02-30"}',
    status: 400,
    says: /from: expected an ISO-8601/,
  },
  {
    name: 'POST /api/dags/:dagId/backfills with a range that ends before it starts',
    method: 'POST',
    path: '/api/dags/demo_etl/backfills',
    headers: JSON_TYPE,
    body: '{"from":"2026-02-01","to":"2026-01-01"}',
    status: 400,
    says: /from must not be after to/,
  },
  {
    name: 'POST /api/runs/:runId/clear of an unknown run',
    method: 'POST',
    path: '/api/runs/987654321/clear',
    headers: JSON_TYPE,
    body: '{}',
    status: 404,
    says: /987654321/,
  },
];

/** Filters with values outside their vocabulary. */
export const BAD_FILTERS: BadInput[] = [
  {
    name: 'GET /api/runs with an unknown state',
    path: '/api/runs?state=exploded',
    status: 400,
    says: /state/,
  },
  {
    name: 'GET /runs (page) with an unknown state',
    path: '/runs?state=exploded',
    status: 400,
    says: /state/,
  },
  {
    name: 'GET /api/alerts with an unknown severity',
    path: '/api/alerts?severity=apocalyptic',
    status: 400,
    says: /severity/,
  },
  {
    name: 'GET /api/stream/windows with an unknown window kind',
    path: '/api/stream/windows?window_kind=tumbling_1y',
    status: 400,
    says: /window_kind/,
  },
  {
    name: 'GET /api/stream/throughput with negative hours',
    path: '/api/stream/throughput?hours=-1',
    status: 400,
    says: /hours/,
  },
  {
    name: 'GET /api/stream/throughput with NaN hours',
    path: '/api/stream/throughput?hours=NaN',
    status: 400,
    says: /hours/,
  },
  {
    name: 'GET /api/stream/throughput with Infinity hours',
    path: '/api/stream/throughput?hours=Infinity',
    status: 400,
    says: /hours/,
  },
  {
    name: 'GET /api/stock with a flag that is not a boolean',
    path: '/api/stock?below_reorder_point=yes',
    status: 400,
    says: /below_reorder_point/,
  },
  {
    name: 'GET /api/stock/:wh/:sku with days out of range',
    path: '/api/stock/WH-1/SKU-1?days=100000',
    status: 400,
    says: /days/,
  },
  {
    name: 'GET /api/data-quality/results with an unknown rule group',
    path: '/api/data-quality/results?rule_group=vibes',
    status: 400,
    says: /rule_group/,
  },
  {
    name: 'GET /api/alerts with a query-string array',
    path: '/api/alerts?sku[]=A&sku[]=B',
    status: 400,
    says: /sku/,
  },
  {
    name: 'GET /api/alerts with a nested query object',
    path: '/api/alerts?sku[$ne]=x',
    status: 400,
    says: /sku/,
  },
];
