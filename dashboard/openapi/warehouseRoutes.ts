import {
  alertParams,
  alertsQuery,
  anomaliesQuery,
  openWindowsQuery,
  qualityResultsQuery,
  qualityRunsQuery,
  throughputQuery,
  windowsQuery,
} from '../validation.js';
import {
  pairParams,
  pairQuery,
  fulfilmentQuery,
  reordersQuery,
  stockQuery,
  weekParams,
  weeksQuery,
} from '../warehouseQueries.js';
import type { ApiRoute } from './route.js';

/** The warehouse's own outputs under `/api`: alerts, data quality, the stream, stock and reports. */
export const WAREHOUSE_ROUTES: ApiRoute[] = [
  // Warehouse results
  {
    method: 'get',
    path: '/alerts',
    summary: 'Alerts',
    tag: 'Warehouse',
    query: alertsQuery,
    returns: 'Page',
  },
  { method: 'get', path: '/alerts/summary', summary: 'Open alerts by severity', tag: 'Warehouse' },
  {
    method: 'post',
    path: '/alerts/:alertId/acknowledge',
    summary: 'Acknowledge an open alert; 409 when it is resolved (audited as alert.acknowledge)',
    tag: 'Warehouse',
    params: alertParams,
    access: 'operator',
  },
  {
    method: 'get',
    path: '/data-quality/results',
    summary: 'Data-quality check results',
    tag: 'Warehouse',
    query: qualityResultsQuery,
    returns: 'Page',
  },
  {
    method: 'get',
    path: '/data-quality/runs',
    summary: 'Data-quality check runs',
    tag: 'Warehouse',
    query: qualityRunsQuery,
    returns: 'Page',
  },
  // Stream
  {
    method: 'get',
    path: '/stream/windows',
    summary: 'Closed stream windows',
    tag: 'Stream',
    query: windowsQuery,
    returns: 'Page',
  },
  {
    method: 'get',
    path: '/stream/windows/open',
    summary: 'Stream windows still open (provisional)',
    tag: 'Stream',
    query: openWindowsQuery,
  },
  {
    method: 'get',
    path: '/stream/throughput',
    summary: 'Events per window over the last hours',
    tag: 'Stream',
    query: throughputQuery,
  },
  {
    method: 'get',
    path: '/stream/anomalies',
    summary: 'Stream anomalies',
    tag: 'Stream',
    query: anomaliesQuery,
    returns: 'Page',
  },
  {
    method: 'get',
    path: '/stream/anomalies/histogram',
    summary: 'Anomalies per time bucket',
    tag: 'Stream',
    query: throughputQuery,
  },
  // Stock and reports
  {
    method: 'get',
    path: '/stock',
    summary: 'Stock levels',
    tag: 'Stock',
    query: stockQuery,
    returns: 'Page',
  },
  {
    method: 'get',
    path: '/stock/facets',
    summary: 'Warehouses and categories to filter stock by',
    tag: 'Stock',
  },
  {
    method: 'get',
    path: '/stock/:warehouseId/:sku',
    summary: 'One SKU at one warehouse',
    tag: 'Stock',
    params: pairParams,
    query: pairQuery,
  },
  {
    method: 'get',
    path: '/reorders',
    summary: 'Reorder recommendations',
    tag: 'Reports',
    query: reordersQuery,
    returns: 'Page',
  },
  {
    method: 'get',
    path: '/fulfilment',
    summary:
      'Fulfilment metrics per warehouse — pick and dispatch times, on-time dispatch, fill rate, backorders, ' +
      'delivery times, exceptions: the stored days (`days`), today so far (`today`) and the stream windows of ' +
      'one kind started in the last `hours` (`windows`)',
    tag: 'Reports',
    query: fulfilmentQuery,
    returns: 'Fulfilment',
  },
  {
    method: 'get',
    path: '/reports/weekly',
    summary: 'Weekly summaries',
    tag: 'Reports',
    query: weeksQuery,
    returns: 'Page',
  },
  {
    method: 'get',
    path: '/reports/weekly/:weekStart',
    summary: 'One weekly summary',
    tag: 'Reports',
    params: weekParams,
  },
];
