/**
 * Moved to src/model (finding.ts, severity.ts, results.ts): the data model every layer shares.
 * Re-exported here so branches written before the move still compile; import from src/model.
 */
export type { Severity } from '../model/severity.js';
export { SEVERITY_ORDER } from '../model/severity.js';
export type { FindingStatus, Fix, FixAlternative, SpnChange, Finding, PassedCheck, NotApplicableCheck } from '../model/finding.js';
export type { Why401Result, Why401Authentication, ExplainMatch, ExplainResult } from '../model/results.js';
