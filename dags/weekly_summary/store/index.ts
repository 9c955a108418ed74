/** SQL of the weekly summary: the week's figures in, the summary row out. */
export { readWeekFigures, type WeekFigures, type Mover } from './readWeekFigures.js';
export { writeWeeklySummary } from './writeWeeklySummary.js';
