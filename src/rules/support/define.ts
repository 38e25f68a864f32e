/**
 * The rule contract: metadata plus a pure check over the evidence (typescript-eslint's
 * `createRule`, cdk-nag's rule packs). A check returns one result per problem it sees; an empty
 * array means the check passed.
 *
 * A rule reads the evidence of its catalog (src/rules/index.ts): the why-401 `Evidence` (default),
 * an ADFS metadata check, an SPN issue of the duplicate watch, or an account of `krb etypes`. Every
 * catalog is run by the one engine (src/engine.ts).
 */
import type { Evidence, Fix, Severity } from '../../model/index.js';

export interface RuleResult<X extends object = object> {
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
  /** The finding's title when it names its subject ("The AD FS token-signing certificate expires in 5 days"); default the rule's. */
  title?: string;
  /** The finding's explanation when it depends on the case; default the rule's `why`. */
  why?: string;
  /** Fields of the catalog's own finding type, put after the common ones (ADFS: thumbprint, alertKey). */
  extra?: X;
}

export interface Rule<E = Evidence, X extends object = object> {
  /** Kebab-case, equal to the file name in src/rules/ (one file per rule id). */
  id: string;
  /** One line, stated as the problem ("The FQDN SPN is not registered"). */
  title: string;
  severity: Severity;
  /** Why this breaks Kerberos, one or two sentences. */
  why: string;
  /** Seeds and documents backing the rule (put on every finding; the watch catalogs may leave it empty). */
  references: string[];
  /** What the check looks at, shown in the "passed" list: "HTTP SPN on the FQDN". */
  checks: string;
  check(evidence: E): RuleResult<X>[];
}

export function defineRule<E = Evidence, X extends object = object>(rule: Rule<E, X>): Rule<E, X> {
  return Object.freeze(rule);
}

/** A rule of any catalog, as the catalog listing and `krb explain` see it. */
export type AnyRule = Rule<never, object>;

/** Shorthands for rule bodies. */
export const notApplicable = (reason: string): RuleResult[] => [{ status: 'not-applicable', evidence: [], reason }];

export function unknown(missing: string[], evidence: string[], fix: Fix, subject?: string): RuleResult {
  return { status: 'unknown', missing, evidence, fix, subject, certainty: 0.3 };
}
