/** SPN change requests and their audit trail, as stored and as shown (plain data). */
import type { Actor } from './actor.js';
import type { SpnChange } from './finding.js';

export type ApprovalStatus = 'pending' | 'approved' | 'rejected' | 'cancelled' | 'landed' | 'expired';

/** What `setspn -S` would find, read from AD before a request is recorded and again before it is approved. */
export interface PreflightReport {
  checkedAt: string;
  /** True when no change is blocked and at least one is still needed. */
  ok: boolean;
  items: { change: SpnChange; ok: boolean; problem?: 'account-missing' | 'collision' | 'not-needed'; detail: string }[];
}

export interface ApprovalVerification {
  checkedAt: string;
  landed: boolean;
  results: { change: SpnChange; landed: boolean; detail: string }[];
}

export interface ApprovalRecord {
  id: string;
  status: ApprovalStatus;
  requester: Actor;
  changes: SpnChange[];
  /** The finding the request came from (rule id, title, subject), when there was one. */
  finding?: { ruleId?: string; title?: string; subject?: string };
  /** Why the engineer asks for the change. */
  note?: string;
  createdAt: string;
  updatedAt: string;
  decidedBy?: Actor;
  decidedAt?: string;
  decisionReason?: string;
  /** The exact commands handed to the admin on approval (setspn -S / -D). */
  commands: string[];
  /** The commands that undo the hand-off (setspn -D for an add, setspn -S for a remove). */
  rollback?: string[];
  /** An undecided request expires then (KRBOPS_APPROVAL_TTL after it was made). */
  expiresAt?: string;
  /** The latest pre-flight read of AD (request time, then approval time). */
  preflight?: PreflightReport;
  verification?: ApprovalVerification;
}

export interface AuditEvent {
  id?: number;
  requestId: string;
  at: string;
  actor: Actor;
  /** requested | approved | rejected | cancelled | handed-off | verified | landed | denied | expired | stale */
  action: string;
  detail?: unknown;
}
