/**
 * What a check reports: a Finding with its evidence and its Fix. Plain data shared by rules, the
 * engine, watchers, the store, approvals and cards. Fix commands are built by src/fix, never by hand.
 */
import type { Severity } from './severity.js';

export type FindingStatus = 'fail' | 'unknown';

/**
 * One block of commands that is run as a whole, with the condition (in words) under which to run it.
 * Used for alternatives: a duplicate SPN gets one block per holder, "If crmweb2 does not run the
 * service:", so that nobody pastes a removal from every holder at once.
 */
export interface FixAlternative {
  /** When to run this block, in words: "If crmweb runs the service (keep it there):". */
  when: string;
  /** Commands meant to be run together, in order (built by src/fix). */
  commands: string[];
}

export interface Fix {
  summary: string;
  /** Commands meant to be run together, in order (built by src/fix). */
  commands: string[];
  /**
   * Conditional blocks: run a block only when its `when` holds, never all of them together. Absent
   * when there is only one way to fix it.
   */
  alternatives?: FixAlternative[];
  /** SPN changes an engineer may request through the approvals flow (setspn -S / -D). */
  spnChanges?: SpnChange[];
  /**
   * Choices an engineer makes by pressing one button ("Keep on crmweb"): each becomes its own change
   * request through the approvals flow. Offered instead of `spnChanges` when the right change
   * depends on a fact krbops cannot read (which account runs the service).
   */
  choices?: FixChoice[];
}

/** One button of `Fix.choices`: its label and the SPN changes the change request carries. */
export interface FixChoice {
  /** What the button says: "Keep on CONTOSO\\crmweb". */
  label: string;
  /** The account the choice is about (kept), as the commands name it. */
  account: string;
  /** The changes requested when it is chosen (remove the SPN from every other holder). */
  spnChanges: SpnChange[];
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
