/**
 * Scoring alerts against labelled incidents (`wareflow eval alerts`; the rules are written down in
 * inventory/generator/LABELS.md, "Matching"). Pure: the store reads labels and detections, this
 * module decides which detection hits which label.
 *
 * Vocabulary: a *detector* is named in label-type words — the SPEC §7 rule names, `STOCKOUT`
 * (the stream's STOCKOUT_RISK alert), `LOW_STOCK` (the low_stock_alerts DAG, judged against
 * STOCKOUT labels), `DQ_<RULE_ID>` (a data-quality rule), and the fulfilment alerts
 * `LATE_DISPATCH` (LATE_DISPATCH_RISK), `SHIPMENT_EXCEPTION` and `AUDIT_POLICY`.
 */

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** A labelled incident, times in epoch ms. */
export interface LabelCase {
  id: string;
  type: string;
  /** Null: the whole warehouse. */
  sku: string | null;
  warehouse_id: string;
  start: number;
  /** Inclusive; null: still in the data at its end. */
  end: number | null;
  /** `detail.also` as stored (alert types and DQ rule ids). */
  also: readonly string[];
  /** Stock-out labels: how long before `start` a warning counts (the product's lead time). */
  early_ms?: number;
  /** Stock-out labels of a demand surge: when the surge began (a warning from then on counts). */
  surge_start?: number | null;
  /**
   * NEGATIVE_STOCK labels: when the first receipt was left unbooked. The books run behind from
   * then on, so the stock-out alerts they raise on reaching zero (before going below it) belong
   * to the incident.
   */
  withheld_at?: number | null;
  /**
   * What the incident is about when that is not a pair (`detail.subject`): an order, a shipment,
   * an audited entity. A detection that names a subject matches only the label of that subject.
   */
  subject?: string | null;
  /** LATE_DISPATCH labels: when the order was made (a warning from then on counts). */
  created_at?: number | null;
}

/** Where a detection points: a pair, a warehouse (sku null), or nowhere in particular (null). */
export interface Place {
  sku: string | null;
  warehouse_id: string;
}

/** One alert, anomaly row or failing data-quality result, at its event time (epoch ms). */
export interface Detection {
  detector: string;
  at: number;
  /** The places it names; null when it cannot say (a database-wide result, a truncated sample). */
  places: readonly Place[] | null;
  /** The subject an alert is about (an order, a shipment, an audited entity); absent for a pair. */
  subject?: string | null;
}

export interface MatchOptions {
  /** End of the data set (labels with `end` null last until then). */
  dataEnd: number;
  /** Time after a label's end in which a detector's hit still counts; defaults: `MATCH_GRACE_MS`. */
  graceMs?: Partial<Record<string, number>>;
}

/**
 * How long after an incident's end a detector may still rightly fire:
 * RAPID_DEPLETION looks back one hour, FREQUENCY_SPIKE one minute; the data-quality rules run
 * once a day over the history (so a fault is seen at the end of its day at the latest), and the
 * ingestion-gap rule needs its 24 h of silence on top. The others fire on the incident's own event.
 */
export const MATCH_GRACE_MS: Readonly<Record<string, number>> = {
  RAPID_DEPLETION: HOUR_MS,
  FREQUENCY_SPIKE: 60_000,
  DQ_DUPLICATE_TRANSACTIONS: DAY_MS,
  DQ_ON_HAND_MISMATCH: DAY_MS,
  DQ_NEGATIVE_ON_HAND: DAY_MS,
  DQ_INGESTION_GAP: 2 * DAY_MS,
};

/** The label type a detector is judged against. */
export function targetType(detector: string): string {
  return detector === 'LOW_STOCK' ? 'STOCKOUT' : detector;
}

/** A data-quality rule id as a detector name: `on_hand_mismatch` → `DQ_ON_HAND_MISMATCH`. */
export function dqDetector(ruleId: string): string {
  return `DQ_${ruleId.toUpperCase()}`;
}

/**
 * The detectors a label rightly trips besides its own type: `detail.also` in detector names
 * (STOCKOUT_RISK → STOCKOUT and LOW_STOCK; a lower-case DQ rule id → DQ_<ID>), and one implied
 * entry: a NEGATIVE_STOCK incident holds the stored level below zero, so the negative-on-hand
 * data-quality rule fails rightly while it lasts.
 */
export function explainedDetectors(label: Pick<LabelCase, 'type' | 'also'>): Set<string> {
  const out = new Set<string>();
  for (const a of label.also) {
    if (a === 'STOCKOUT_RISK' || a === 'STOCKOUT') out.add('STOCKOUT').add('LOW_STOCK');
    else if (/^[a-z_]+$/.test(a)) out.add(dqDetector(a));
    else out.add(a);
  }
  if (label.type === 'NEGATIVE_STOCK') out.add('DQ_NEGATIVE_ON_HAND');
  return out;
}

/** How long before a stock-out an `also` detection (RAPID_DEPLETION) still belongs to it. */
const STOCKOUT_LEAD_IN_MS = 24 * 3_600_000;

const isStockout = (detector: string) => detector === 'STOCKOUT' || detector === 'LOW_STOCK';

/** The [from, to] window (epoch ms) in which `detector` hits `label`. */
export function matchWindow(detector: string, label: LabelCase, options: MatchOptions): [number, number] {
  const grace = options.graceMs?.[detector] ?? MATCH_GRACE_MS[detector] ?? 0;
  let from = label.start;
  if (label.type === 'STOCKOUT') {
    // A stock-out warning may come a lead time early; what it rightly trips besides (a run on the
    // product) may come in the day before the shelf is empty.
    from -= isStockout(detector) ? (label.early_ms ?? 0) : STOCKOUT_LEAD_IN_MS;
    if (label.surge_start != null) from = Math.min(from, label.surge_start);
  }
  if (label.type === 'NEGATIVE_STOCK' && isStockout(detector) && label.withheld_at != null)
    from = Math.min(from, label.withheld_at);
  // A late dispatch may be foreseen from the moment the order exists (a negative delay).
  if (label.type === 'LATE_DISPATCH' && label.created_at != null) from = Math.min(from, label.created_at);
  return [from, (label.end ?? options.dataEnd) + grace];
}

/**
 * Whether a detection's places include the label's pair (or warehouse, for a warehouse-wide
 * label); when both name a subject, it must be the same one.
 */
export function placeMatches(
  places: readonly Place[] | null,
  label: Pick<LabelCase, 'sku' | 'warehouse_id' | 'subject'>,
  subject?: string | null,
) {
  if (subject != null && label.subject != null && subject !== label.subject) return false;
  if (places === null) return true;
  return places.some(
    (p) =>
      p.warehouse_id === label.warehouse_id && (label.sku === null || p.sku === null || p.sku === label.sku),
  );
}

export interface DetectorScore {
  type: string;
  /** Detections matched to a label of the detector's type. */
  tp: number;
  /** Detections neither matched nor explained. */
  fp: number;
  /** Labels of the type no detection matched. */
  fn: number;
  /** Detections explained by another incident's `also` (neither TP nor FP). */
  explained: number;
  labels: number;
  detected_labels: number;
  /** tp / (tp + fp); null without detections (nothing to be right or wrong about). */
  precision: number | null;
  /** detected labels / labels; null without labels. */
  recall: number | null;
  f1: number | null;
  /** Seconds from a label's start to the first detection matched to it (negative: a warning ahead). */
  median_delay_s: number | null;
  p95_delay_s: number | null;
}

/** The q-quantile (nearest rank) of sorted numbers; null when empty. */
export function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

function f1Of(precision: number | null, recall: number | null): number | null {
  if (precision === null || recall === null) return null;
  return precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
}

/** Labels by type and warehouse, so a detection looks only at its candidates. */
class LabelIndex {
  private readonly byTypeWarehouse = new Map<string, LabelCase[]>();
  private readonly byType = new Map<string, LabelCase[]>();

  constructor(labels: readonly LabelCase[], typesOf: (l: LabelCase) => Iterable<string>) {
    for (const l of labels)
      for (const t of typesOf(l)) {
        push(this.byType, t, l);
        push(this.byTypeWarehouse, `${t}\u0000${l.warehouse_id}`, l);
      }
  }

  candidates(type: string, places: readonly Place[] | null): readonly LabelCase[] {
    if (places === null) return this.byType.get(type) ?? [];
    const warehouses = new Set(places.map((p) => p.warehouse_id));
    if (warehouses.size === 1)
      return this.byTypeWarehouse.get(`${type}\u0000${places[0]!.warehouse_id}`) ?? [];
    return [...warehouses].flatMap((w) => this.byTypeWarehouse.get(`${type}\u0000${w}`) ?? []);
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * Scores each detector in `detectors`: every detection is a TP when it matches a label of the
 * detector's type (same type, place and time window), else explained when it matches a label
 * whose `also` names the detector, else a FP. A label is detected when at least one detection
 * matches it; its delay is the first such detection's time minus the label's start.
 */
export function scoreDetectors(
  detectors: readonly string[],
  labels: readonly LabelCase[],
  detections: readonly Detection[],
  options: MatchOptions,
): DetectorScore[] {
  const own = new LabelIndex(labels, (l) => [l.type]);
  const explaining = new LabelIndex(labels, (l) => explainedDetectors(l));
  const byDetector = new Map<string, Detection[]>();
  for (const d of detections) push(byDetector, d.detector, d);
  return detectors.map((detector) => {
    const target = targetType(detector);
    const firstHit = new Map<string, number>();
    let tp = 0;
    let fp = 0;
    let explained = 0;
    const hits = (l: LabelCase, d: Detection) => {
      const [from, to] = matchWindow(detector, l, options);
      return d.at >= from && d.at <= to && placeMatches(d.places, l, d.subject);
    };
    for (const d of byDetector.get(detector) ?? []) {
      let matched = false;
      for (const l of own.candidates(target, d.places)) {
        if (!hits(l, d)) continue;
        matched = true;
        const first = firstHit.get(l.id);
        if (first === undefined || d.at < first) firstHit.set(l.id, d.at);
      }
      if (matched) tp++;
      else if (explaining.candidates(detector, d.places).some((l) => hits(l, d))) explained++;
      else fp++;
    }
    const targets = labels.filter((l) => l.type === target);
    const delays = targets
      .filter((l) => firstHit.has(l.id))
      .map((l) => (firstHit.get(l.id)! - l.start) / 1000)
      .sort((a, b) => a - b);
    const precision = tp + fp === 0 ? null : tp / (tp + fp);
    const recall = targets.length === 0 ? null : delays.length / targets.length;
    return {
      type: detector,
      tp,
      fp,
      fn: targets.length - delays.length,
      explained,
      labels: targets.length,
      detected_labels: delays.length,
      precision,
      recall,
      f1: f1Of(precision, recall),
      median_delay_s: quantile(delays, 0.5),
      p95_delay_s: quantile(delays, 0.95),
    };
  });
}
