/**
 * The life of an SPN change request as pure functions over plain records: who may take which
 * step, and what each step turns the record into and writes to the audit trail. No I/O, no clock:
 * the service (service.ts) reads the record, calls one of these, and writes the result.
 *
 *   pending ──approve──► approved ──verify (all landed)──► landed
 *      │                    └──verify (not yet)──► approved (with per-change detail)
 *      ├──reject──► rejected
 *      ├──cancel──► cancelled
 *      └──(any step after expiresAt)──► expired
 */
import type { Actor, ApprovalRecord, ApprovalStatus, ApprovalVerification, AuditEvent, SpnChange } from '../model/index.js';
import { NotAuthorizedError } from '../errors.js';
import { ApprovalStateError } from './errors.js';

/**
 * Who may approve: the chat user IDs of KRBOPS_ADMINS (Slack user IDs, Teams Entra object IDs), and
 * the members of KRBOPS_APPROVER_GROUP_DN (found through the chat user's e-mail address; the service
 * looks that up and passes it in as `ActorFacts.inApproverGroup`).
 */
export interface ApprovalPolicy {
  admins: readonly string[];
  approverGroupDn?: string;
}

/** What the service found out about the actor and the moment, for one decision. */
export interface ActorFacts {
  /** The actor is (nested) in KRBOPS_APPROVER_GROUP_DN. */
  inApproverGroup?: boolean;
  /** Now (ISO-8601): a pending request past its expiresAt can no longer be decided. */
  now?: string;
}

export type Step = 'approve' | 'reject' | 'cancel' | 'verify';
export type Decision = 'approve' | 'reject';

export type Refusal = 'not-admin' | 'own-request' | 'state' | 'expired';
export type Permission = { allowed: true } | { allowed: false; refusal: Refusal; message: string };

/** The result of a transition: the record to store and the audit events to append, in order. */
export interface Transition {
  record: ApprovalRecord;
  events: AuditEvent[];
}

/** Admins are chat users: an ID from the CLI or the scheduler never counts, whatever it is. */
export function isAdmin(actor: Actor, policy: ApprovalPolicy, facts: ActorFacts = {}): boolean {
  return (actor.surface === 'slack' || actor.surface === 'teams') && (policy.admins.includes(actor.id) || (!!policy.approverGroupDn && facts.inApproverGroup === true));
}

/** A pending request whose time is up. */
export function isExpired(r: ApprovalRecord, now?: string): boolean {
  return r.status === 'pending' && !!r.expiresAt && !!now && now >= r.expiresAt;
}

/** Who approves, as refusals name them. */
function approversName(policy: ApprovalPolicy): string {
  return policy.approverGroupDn ? 'krbops approvers (KRBOPS_ADMINS or the approver group)' : 'krbops admins (KRBOPS_ADMINS)';
}

export function sameActor(a: Actor, b: Actor): boolean {
  return a.surface === b.surface && a.id === b.id;
}

/** How a person is named in messages: their display name, else their ID. */
export function actorLabel(a: Actor): string {
  return a.name ? `${a.name} (${a.id})` : a.id;
}

export const STEP_FROM: Record<Step, ApprovalStatus[]> = {
  approve: ['pending'],
  reject: ['pending'],
  cancel: ['pending'],
  verify: ['approved'],
};

const PAST: Record<Step, string> = { approve: 'approved', reject: 'rejected', cancel: 'cancelled', verify: 'verified' };

function stateMessage(r: ApprovalRecord, step: Step): string {
  if (step === 'verify') {
    return r.status === 'pending'
      ? `${r.id} is still pending: an admin must approve it before there is anything to verify.`
      : `${r.id} was ${r.status}; there is nothing to verify.`;
  }
  return `${r.id} is already ${r.status}${r.decidedBy ? ` (by ${actorLabel(r.decidedBy)})` : ''}; only pending requests can be ${PAST[step]}.`;
}

/**
 * Whether `actor` may take `step` on the record. Authorisation is checked before the state, so a
 * non-admin always hears "not allowed" rather than learning the state of the request.
 *  - approve: an admin, and not the requester (no one approves their own change);
 *  - reject: an admin (the requester may, if they are one: it only stops the change);
 *  - cancel: the requester or an admin;
 *  - verify: anyone (it only reads AD).
 */
export function permission(r: ApprovalRecord, actor: Actor, step: Step, policy: ApprovalPolicy, facts: ActorFacts = {}): Permission {
  const admin = isAdmin(actor, policy, facts);
  if ((step === 'approve' || step === 'reject') && !admin) {
    return { allowed: false, refusal: 'not-admin', message: `Only ${approversName(policy)} can ${step} SPN change requests; ${r.id} is unchanged.` };
  }
  if (step === 'approve' && sameActor(actor, r.requester)) {
    return { allowed: false, refusal: 'own-request', message: `You asked for ${r.id}, so another admin must approve it; it is unchanged.` };
  }
  if (step === 'cancel' && !admin && !sameActor(actor, r.requester)) {
    return { allowed: false, refusal: 'not-admin', message: `Only the requester or a krbops admin can cancel ${r.id}; it is unchanged.` };
  }
  if (!STEP_FROM[step].includes(r.status)) return { allowed: false, refusal: 'state', message: stateMessage(r, step) };
  if (step !== 'verify' && isExpired(r, facts.now)) {
    return { allowed: false, refusal: 'expired', message: `${r.id} expired at ${r.expiresAt!.replace('T', ' ').slice(0, 16)} UTC (KRBOPS_APPROVAL_TTL) and can no longer be ${PAST[step]}; request the change again if it is still needed.` };
  }
  return { allowed: true };
}

/** Throws the refusal as a coded error: NotAuthorizedError or ApprovalStateError. */
export function assertAllowed(r: ApprovalRecord, actor: Actor, step: Step, policy: ApprovalPolicy, facts: ActorFacts = {}): void {
  const p = permission(r, actor, step, policy, facts);
  if (p.allowed) return;
  if (p.refusal === 'state') throw new ApprovalStateError(r.id, r.status, p.message);
  if (p.refusal === 'expired') throw new ApprovalStateError(r.id, 'expired', p.message);
  throw new NotAuthorizedError(p.message, { id: r.id, refusal: p.refusal });
}

const event = (r: ApprovalRecord, at: string, actor: Actor, action: string, detail?: unknown): AuditEvent => ({
  requestId: r.id,
  at,
  actor,
  action,
  ...(detail === undefined ? {} : { detail }),
});

export interface NewRequest {
  id: string;
  requester: Actor;
  /** Already normalised (changes.ts normaliseChanges). */
  changes: SpnChange[];
  finding?: ApprovalRecord['finding'];
  note?: string;
  /** Where the request came from (chat channel, why-401 URL): kept in the audit trail for replies. */
  origin?: { channelId?: string; url?: string; reference?: Record<string, unknown> };
  at: string;
  /** When an undecided request expires (ISO-8601). */
  expiresAt?: string;
  /** The pre-flight read of AD at request time. */
  preflight?: ApprovalRecord['preflight'];
}

export function createRequest(n: NewRequest): Transition {
  const record: ApprovalRecord = {
    id: n.id,
    status: 'pending',
    requester: n.requester,
    changes: n.changes,
    ...(n.finding && Object.values(n.finding).some((v) => v !== undefined) ? { finding: n.finding } : {}),
    ...(n.note ? { note: n.note } : {}),
    createdAt: n.at,
    updatedAt: n.at,
    commands: [],
    ...(n.expiresAt ? { expiresAt: n.expiresAt } : {}),
    ...(n.preflight ? { preflight: n.preflight } : {}),
  };
  const origin = n.origin && Object.values(n.origin).some(Boolean) ? n.origin : undefined;
  return {
    record,
    events: [event(record, n.at, n.requester, 'requested', { changes: n.changes, ...(origin ? { origin } : {}), ...(n.expiresAt ? { expiresAt: n.expiresAt } : {}), ...(n.preflight ? { preflight: n.preflight } : {}) })],
  };
}

/**
 * Approve: the record carries the exact commands for the admin to run (krbops never runs them),
 * and the trail shows the approval and the hand-off.
 */
export function approve(
  r: ApprovalRecord,
  actor: Actor,
  o: { at: string; commands: string[]; rollback?: string[]; reason?: string; policy: ApprovalPolicy; facts?: ActorFacts; preflight?: ApprovalRecord['preflight'] },
): Transition {
  assertAllowed(r, actor, 'approve', o.policy, { now: o.at, ...o.facts });
  const record: ApprovalRecord = {
    ...r,
    status: 'approved',
    decidedBy: actor,
    decidedAt: o.at,
    ...(o.reason ? { decisionReason: o.reason } : {}),
    commands: o.commands,
    ...(o.rollback ? { rollback: o.rollback } : {}),
    ...(o.preflight ? { preflight: o.preflight } : {}),
    updatedAt: o.at,
  };
  return {
    record,
    events: [
      event(r, o.at, actor, 'approved', o.reason || o.preflight ? { ...(o.reason ? { reason: o.reason } : {}), ...(o.preflight ? { preflight: o.preflight } : {}) } : undefined),
      event(r, o.at, actor, 'handed-off', { commands: o.commands, ...(o.rollback ? { rollback: o.rollback } : {}) }),
    ],
  };
}

/** A pending request past its time: recorded once, when someone next tries to act on it. */
export function expire(r: ApprovalRecord, actor: Actor, at: string): Transition {
  const record: ApprovalRecord = { ...r, status: 'expired', updatedAt: at };
  return { record, events: [event(r, at, actor, 'expired', { expiresAt: r.expiresAt })] };
}

export function reject(r: ApprovalRecord, actor: Actor, o: { at: string; reason?: string; policy: ApprovalPolicy; facts?: ActorFacts }): Transition {
  assertAllowed(r, actor, 'reject', o.policy, { now: o.at, ...o.facts });
  const record: ApprovalRecord = { ...r, status: 'rejected', decidedBy: actor, decidedAt: o.at, ...(o.reason ? { decisionReason: o.reason } : {}), updatedAt: o.at };
  return { record, events: [event(r, o.at, actor, 'rejected', o.reason ? { reason: o.reason } : undefined)] };
}

export function cancel(r: ApprovalRecord, actor: Actor, o: { at: string; reason?: string; policy: ApprovalPolicy; facts?: ActorFacts }): Transition {
  assertAllowed(r, actor, 'cancel', o.policy, { now: o.at, ...o.facts });
  const record: ApprovalRecord = { ...r, status: 'cancelled', decidedBy: actor, decidedAt: o.at, ...(o.reason ? { decisionReason: o.reason } : {}), updatedAt: o.at };
  return { record, events: [event(r, o.at, actor, 'cancelled', o.reason ? { reason: o.reason } : undefined)] };
}

/**
 * Records what AD showed. All changes landed → `landed`; otherwise the request stays approved
 * with the per-change detail, and can be verified again later.
 */
export function recordVerification(r: ApprovalRecord, actor: Actor, v: ApprovalVerification, o: { policy: ApprovalPolicy }): Transition {
  assertAllowed(r, actor, 'verify', o.policy);
  const landed = v.results.length > 0 && v.results.every((x) => x.landed);
  const verification: ApprovalVerification = { ...v, landed };
  const record: ApprovalRecord = { ...r, status: landed ? 'landed' : 'approved', verification, updatedAt: v.checkedAt };
  const events = [
    event(r, v.checkedAt, actor, 'verified', {
      landed,
      results: v.results.map((x) => ({ action: x.change.action, spn: x.change.spn, account: x.change.account, landed: x.landed, detail: x.detail })),
    }),
  ];
  if (landed) events.push(event(r, v.checkedAt, actor, 'landed'));
  return { record, events };
}

/** The trail entry of a refused attempt (not allowed, or the wrong state): nothing else changes. */
export function deniedEvent(r: ApprovalRecord, actor: Actor, step: Step, at: string, message: string): AuditEvent {
  return event(r, at, actor, 'denied', { step, message });
}
