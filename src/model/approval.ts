/** SPN change requests and their audit trail, as stored and as shown (plain data). */
import type { Actor } from './actor.js';
import type { SpnChange } from './finding.js';

export type ApprovalStatus = 'pending' | 'approved' | 'rejected' | 'cancelled' | 'landed';

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
  verification?: ApprovalVerification;
}

export interface AuditEvent {
  id?: number;
  requestId: string;
  at: string;
  actor: Actor;
  /** requested | approved | rejected | cancelled | handed-off | verified | landed | denied */
  action: string;
  detail?: unknown;
}
