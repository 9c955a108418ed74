import { KPI_LABELS, KPIS, type Kpi, type WeeklyReport } from '../dags/index.js';

/** One KPI of a stored week beside the week before, as the report page and its API show it. */
export interface KpiComparison {
  kpi: Kpi;
  label: string;
  this_week: number | null;
  /** From the stored summary of the week before; null when that week was never summarised. */
  previous_week: number | null;
  /** (this − previous) / |previous| as the DAG computed and e-mailed it; null when undefined. */
  change: number | null;
}

/** The KPIs of `report` beside those of the week before, in the report's order. */
export function compareWeeks(report: Pick<WeeklyReport, 'metrics' | 'previous'>): KpiComparison[] {
  return KPIS.map((kpi) => ({
    kpi,
    label: KPI_LABELS[kpi],
    this_week: report.metrics.kpis?.[kpi] ?? null,
    previous_week: report.previous?.metrics.kpis?.[kpi] ?? null,
    change: report.metrics.week_over_week?.[kpi] ?? null,
  }));
}
