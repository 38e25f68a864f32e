/**
 * The shapes shared by the rule engine, commands and cards. Evidence is defined in
 * src/collectors/evidence.ts; a rule is a pure function of it.
 */

import type { Why401Authentication } from './support/verdict.js';

export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';
export const SEVERITY_ORDER: Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

export type FindingStatus = 'fail' | 'unknown';

export interface FixCommand {
  /** What the command does, one line. */
  label?: string;
  /** The exact command: setspn, appcmd, PowerShell… */
  command: string;
  /** Where it runs: 'domain controller or admin workstation', 'each IIS server', … */
  where?: string;
}

export interface Fix {
  summary: string;
  commands: string[];
  /** SPN changes an engineer may request through the approvals flow (setspn -S / -D). */
  spnChanges?: SpnChange[];
}

export interface SpnChange {
  action: 'add' | 'remove';
  spn: string;
  /** sAMAccountName or DOMAIN\name of the account to change. */
  account: string;
  /** DN of the account, when known (verification reads it back). */
  accountDn?: string;
}

export interface Finding {
  ruleId: string;
  severity: Severity;
  status: FindingStatus;
  title: string;
  /** Why this breaks Kerberos. */
  why: string;
  /** What was seen: attribute values, headers, DNS answers, times. One line each. */
  evidence: string[];
  fix: Fix;
  /** What would decide an 'unknown' finding. */
  missing?: string[];
  /** 0..1: how sure the rule is (ranking tie-breaker). */
  certainty: number;
  /** The SPN, account or host the finding is about, for grouping and dedup. */
  subject?: string;
  references?: string[];
  /** The Kerberos exchange confirmed it (its first evidence line is the exchange). Set on every why-401 finding. */
  verified?: boolean;
}

export interface PassedCheck {
  ruleId: string;
  title: string;
}

/** A rule that did not apply to this URL (no backends given, not a claims site…). */
export interface NotApplicableCheck {
  ruleId: string;
  title: string;
  reason: string;
}

/** The answer of `krb why-401` (the JSON document of `--json`). */
export interface Why401Result {
  kind: 'why-401';
  url: string;
  canonicalHost?: string;
  expectedSpns: string[];
  /** Inputs krbops inferred (identity from SPN holder, computer from DNS…), each one line. */
  inferred: string[];
  findings: Finding[];
  passed: PassedCheck[];
  /** The most likely cause in one sentence, or a healthy verdict. */
  verdict: string;
  durationMs: number;
  /** Collector failures (DNS down, probe timeout…), already reflected as evidence. */
  collectorErrors: { collector: string; code: string; message: string }[];
  /** Rules that did not apply, with the reason (absent in older results). */
  notApplicable?: NotApplicableCheck[];
  /** The Kerberos exchange (absent in older results). */
  authentication?: Why401Authentication;
}

/** One recognised error in pasted text and what it points to. */
export interface ExplainMatch {
  /** The code as recognised: KRB_AP_ERR_MODIFIED, ID4175, 401.1, event 4… */
  code: string;
  /** The text that matched (as pasted, shortened). */
  matched: string;
  /** What the error means, one or two sentences. */
  meaning: string;
  /** Rules that can cause it, most likely first. */
  rules: { ruleId: string; title: string }[];
  /** What to check next, most useful first (commands or krbops commands). */
  nextChecks: string[];
}

/** The answer of `krb explain <text>`. */
export interface ExplainResult {
  kind: 'explain';
  /** The pasted text, shortened. */
  input: string;
  matches: ExplainMatch[];
  /** SPNs, hosts and URLs named in the text, for follow-up commands. */
  mentioned: { spns: string[]; hosts: string[]; urls: string[] };
  /** One sentence: the most likely meaning, or that nothing was recognised. */
  verdict: string;
}
