/** The data-quality rules of SPEC §6 as SQL, grouped as the data_quality DAG runs them. */
import { businessRules } from './businessRules.js';
import { completenessRules } from './completeness.js';
import { consistencyRules } from './consistency.js';
import { freshnessRules } from './freshness.js';
import { integrityRules } from './integrity.js';
import { reconciliationRules } from './reconciliation.js';
import type { QualityRule, RuleGroup } from './rule.js';

export {
  RULE_GROUPS,
  DEFAULT_RULE_PARAMS,
  type QualityRule,
  type RuleGroup,
  type RuleParams,
} from './rule.js';
export { runQualityRules, type RuleResult } from './runQualityRules.js';
export { writeQualityRun, type QualityRun } from './writeQualityRun.js';

export const QUALITY_RULES: Readonly<Record<RuleGroup, readonly QualityRule[]>> = {
  integrity: integrityRules,
  business_rules: businessRules,
  completeness: completenessRules,
  freshness: freshnessRules,
  consistency: [...consistencyRules, ...reconciliationRules],
};
export { recordQualityAlerts, QUALITY_SOURCE, type QualityAlert } from './recordQualityAlerts.js';
export {
  listDataQualityResults,
  listDataQualityRuns,
  type DataQualityFilter,
  type DataQualityResultRow,
  type DataQualityRunRow,
} from './listDataQualityResults.js';
