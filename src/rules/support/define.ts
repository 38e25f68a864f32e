/**
 * The rule contract: metadata plus a pure check over the evidence (typescript-eslint's
 * `createRule`, cdk-nag's rule packs). A check returns one result per problem it sees; an empty
 * array means the check passed.
 */
import type { Evidence, Fix, Severity } from '../../model/index.js';

export interface RuleResult {
  /** Default 'fail'. 'unknown': the evidence needed is missing (say what in `missing`).
   *  'not-applicable': the check does not apply here (no backends, not a claims site…), with `reason`. */
  status?: 'fail' | 'unknown' | 'not-applicable';
  /** The SPN, account or host this result is about. */
  subject?: string;
  /** What was seen, one line each. */
  evidence: string[];
  /** Required for 'fail' and 'unknown' (for unknown: how to collect what is missing). */
  fix?: Fix;
  /** What would decide an unknown result. */
  missing?: string[];
  /** 0..1; default 0.9 for fail, 0.3 for unknown. */
  certainty?: number;
  /** Overrides the rule's severity for this result (e.g. the short-name SPN is high when the URL uses it). */
  severity?: Severity;
  /** Why a check is not applicable. */
  reason?: string;
}

export interface Rule {
  /** Kebab-case, equal to the file name in src/rules/. */
  id: string;
  /** One line, stated as the problem ("The FQDN SPN is not registered"). */
  title: string;
  severity: Severity;
  /** Why this breaks Kerberos, one or two sentences. */
  why: string;
  /** Seeds and documents backing the rule. */
  references: string[];
  /** What the check looks at, shown in the "passed" list: "HTTP SPN on the FQDN". */
  checks: string;
  check(evidence: Evidence): RuleResult[];
}

export function defineRule(rule: Rule): Rule {
  return Object.freeze(rule);
}

/** Shorthands for rule bodies. */
export const notApplicable = (reason: string): RuleResult[] => [{ status: 'not-applicable', evidence: [], reason }];

export function unknown(missing: string[], evidence: string[], fix: Fix, subject?: string): RuleResult {
  return { status: 'unknown', missing, evidence, fix, subject, certainty: 0.3 };
}
