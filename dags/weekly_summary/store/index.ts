/** SQL of the weekly summary: the week's figures in, the summary row out, and the stored weeks read back. */
export { readWeekFigures, type WeekFigures, type Mover } from './readWeekFigures.js';
export { writeWeeklySummary } from './writeWeeklySummary.js';
export { listWeeklySummaries, type WeeklySummaryRow } from './listWeeklySummaries.js';
export { readWeeklySummary, type WeeklySummaryReport } from './readWeeklySummary.js';
export { readWeekFulfilment, type WeekFulfilment } from './readWeekFulfilment.js';
