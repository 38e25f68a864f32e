/**
 * SPN change requests as Adaptive Cards: the approval card (Approve / Reject, then the hand-off
 * commands and "Verify in AD", then landed or what is still missing) that the Teams surface posts
 * and replaces in place through Universal Actions, and the `krb approvals` / `krb verify` answers.
 */
import type { Actor, ApprovalRecord, ApprovalResult, ApprovalsListResult, ApprovalStatus } from '../../src/model/index.js';
import { adaptiveCard, codeBlock, container, facts, text, type AdaptiveCard, type CardElement, type ContainerStyle, type ExecuteAction, type Fact } from './adaptive.js';
import { setspn } from '../../src/fix/index.js';
import { clip, splitCards, type SplitOptions } from './split.js';

/** Action.Execute verbs of the approval card; `data` is `{ id }`. */
export const APPROVAL_VERBS = {
  approve: 'krbops.approve',
  reject: 'krbops.reject',
  verify: 'krbops.verify',
  cancel: 'krbops.cancel',
} as const;
/** The id of the card's reason field: Action.Execute sends its value as `data.reason`. */
export const REASON_INPUT_ID = 'reason';
export type ApprovalVerb = (typeof APPROVAL_VERBS)[keyof typeof APPROVAL_VERBS];

const STATUS_STYLE: Record<ApprovalStatus, ContainerStyle> = {
  pending: 'Accent',
  approved: 'Good',
  rejected: 'Attention',
  cancelled: 'Warning',
  landed: 'Good',
  expired: 'Warning',
};

const MAX_SHOWN = 50;
const when = (iso?: string) => (iso ? `${iso.replace('T', ' ').slice(0, 16)} UTC` : '');

export function actorName(a: Actor): string {
  return clip(a.name ? `${a.name} (${a.id})` : a.id, 200);
}

function execute(title: string, verb: ApprovalVerb, id: string, style?: ExecuteAction['style']): ExecuteAction {
  return { type: 'Action.Execute', title, verb, data: { id }, ...(style ? { style } : {}) };
}

function approversText(approvers: readonly string[]): string {
  if (!approvers.length) return 'No krbops admins are configured (KRBOPS_ADMINS), so nobody can approve it yet.';
  return `${approvers.length === 1 ? 'One krbops admin' : `${approvers.length} krbops admins`} (KRBOPS_ADMINS) can approve; not the requester.`;
}

export interface ApprovalCardOptions {
  /** The admins' IDs (only their number is shown). */
  approvers?: readonly string[];
  /** Show Approve / Reject / Verify for the state. Default true. */
  buttons?: boolean;
  /** A line on top, e.g. "Only krbops admins can approve". */
  notice?: string;
  /** Now (ISO-8601): a pending request past its expiry is shown as expired, without buttons. */
  now?: string;
}

const expiredAt = (r: ApprovalRecord, now?: string) => r.status === 'expired' || (r.status === 'pending' && !!r.expiresAt && !!now && now >= r.expiresAt);

/** The elements describing a request in any state (shared by the card and the `krb approvals <id>` answer). */
function requestElements(r: ApprovalRecord, o: ApprovalCardOptions): CardElement[] {
  const expired = expiredAt(r, o.now);
  const list: Fact[] = [
    { title: 'Status', value: expired ? 'expired' : r.status },
    { title: 'Requested by', value: actorName(r.requester) },
    { title: 'Requested at', value: when(r.createdAt) },
  ];
  if (r.finding?.title) list.push({ title: 'Finding', value: clip(r.finding.title, 300) });
  if (r.finding?.subject) list.push({ title: 'Subject', value: clip(r.finding.subject, 300) });
  if (r.note) list.push({ title: 'Note', value: clip(r.note, 1000) });
  if (r.expiresAt && (r.status === 'pending' || r.status === 'expired')) list.push({ title: expired ? 'Expired at' : 'Expires at', value: when(r.expiresAt) });
  if (r.decidedBy) {
    list.push({ title: r.status === 'rejected' ? 'Rejected by' : r.status === 'cancelled' ? 'Cancelled by' : 'Approved by', value: `${actorName(r.decidedBy)}, ${when(r.decidedAt)}` });
    if (r.decisionReason) list.push({ title: 'Reason', value: clip(r.decisionReason, 1000) });
  }
  const out: CardElement[] = [
    container([text(`SPN change request ${r.id}`, { size: 'Medium', weight: 'Bolder' })], { style: STATUS_STYLE[expired ? 'expired' : r.status] }),
  ];
  if (expired) out.push(text('This request expired: it can no longer be approved. Request the change again if it is still needed.', { color: 'Warning', weight: 'Bolder' }));
  if (o.notice) out.push(text(clip(o.notice, 500), { color: 'Warning', weight: 'Bolder' }));
  out.push(facts(list));
  if (r.status === 'pending' || r.status === 'rejected' || r.status === 'cancelled' || r.status === 'expired') {
    out.push(text(`Changes asked for (${r.changes.length})`, { weight: 'Bolder', spacing: 'Medium' }), codeBlock(r.changes.slice(0, MAX_SHOWN).map((c) => clip(setspn.change(c), 600))));
  }
  if (r.status === 'pending' && !expired) {
    out.push(text(approversText(o.approvers ?? []), { isSubtle: true }));
    if (o.buttons !== false) out.push({ type: 'Input.Text', id: REASON_INPUT_ID, label: 'Reason (for Reject or Cancel)', placeholder: 'Why not, or why no longer needed', isMultiline: true, maxLength: 1000, spacing: 'Medium' });
  }
  if (r.status === 'approved' || r.status === 'landed') {
    out.push(
      text('Run these as a domain admin (krbops does not run them; setspn -S refuses a duplicate):', { weight: 'Bolder', spacing: 'Medium' }),
      codeBlock(r.commands.slice(0, MAX_SHOWN).map((c) => clip(c, 600))),
    );
    if (r.rollback?.length) out.push(text('To undo them (if the service breaks afterwards):', { weight: 'Bolder', spacing: 'Medium' }), codeBlock(r.rollback.slice(0, MAX_SHOWN).map((c) => clip(c, 600))));
    const v = r.verification;
    if (v) {
      out.push(
        text(v.landed ? `Landed: verified in AD at ${when(v.checkedAt)}.` : `Not landed yet (checked in AD at ${when(v.checkedAt)}):`, { weight: 'Bolder', color: v.landed ? 'Good' : 'Warning', spacing: 'Medium' }),
        facts(v.results.slice(0, MAX_SHOWN).map((x) => ({ title: x.landed ? 'Landed' : 'Missing', value: clip(x.detail, 600) }))),
      );
    } else if (r.status === 'approved') {
      out.push(text('When the commands have run, "Verify in AD" checks that each change landed.', { isSubtle: true }));
    }
  }
  return out;
}

const FOOTER = 'krbops never writes to Active Directory: it hands the commands to an admin and then reads AD to confirm.';

/**
 * The card an admin acts on, for every state: pending → Approve / Reject; approved → the commands
 * and "Verify in AD"; landed / rejected / cancelled → the outcome without buttons.
 */
export function approvalCard(r: ApprovalRecord, o: ApprovalCardOptions = {}): AdaptiveCard {
  const body = [...requestElements(r, o), text(FOOTER, { isSubtle: true, size: 'Small', spacing: 'Medium' })];
  return adaptiveCard(body, { actions: o.buttons === false ? [] : stateActions(r, o.now), fallbackText: `SPN change request ${r.id}: ${expiredAt(r, o.now) ? 'expired' : r.status}` });
}

/** The buttons a state offers: Approve / Reject / Cancel while pending, Verify while approved, none after. */
function stateActions(r: ApprovalRecord, now?: string): ExecuteAction[] {
  if (r.status === 'pending' && expiredAt(r, now)) return [];
  if (r.status === 'pending') {
    return [execute('Approve', APPROVAL_VERBS.approve, r.id, 'Positive'), execute('Reject', APPROVAL_VERBS.reject, r.id, 'Destructive'), execute('Cancel request', APPROVAL_VERBS.cancel, r.id)];
  }
  if (r.status === 'approved') return [execute(r.verification ? 'Verify again' : 'Verify in AD', APPROVAL_VERBS.verify, r.id, 'Positive')];
  return [];
}

/** `krb approvals`: one row per request. */
export function approvalsListCards(r: ApprovalsListResult, options: SplitOptions = {}): AdaptiveCard[] {
  const title = r.status ? `${r.status.charAt(0).toUpperCase()}${r.status.slice(1)} SPN change requests` : 'SPN change requests';
  const sections = r.approvals.map((a) =>
    container(
      [
        text(`${a.id} · ${a.status} · ${a.changes.length} change${a.changes.length === 1 ? '' : 's'} · ${when(a.createdAt)}`, { weight: 'Bolder' }),
        text(clip(a.finding?.title ?? a.changes.slice(0, 3).map((c) => c.spn).join(', '), 300), { spacing: 'Small' }),
        text(`Requested by ${actorName(a.requester)}${a.decidedBy ? ` · decided by ${actorName(a.decidedBy)}` : ''}`, { isSubtle: true, size: 'Small', spacing: 'Small' }),
      ],
      { separator: true, spacing: 'Medium' },
    ),
  );
  const head = r.approvals.length ? [] : [text(`No ${r.status ? `${r.status} ` : ''}change requests.`)];
  const tail = [text(`${r.approvals.length === r.limit ? `The newest ${r.limit}. ` : ''}"krb approvals <id>" shows one with its audit trail; "krb verify <id>" checks AD now.${r.admins ? '' : ' No krbops admins are configured (KRBOPS_ADMINS).'}`, { isSubtle: true, size: 'Small', spacing: 'Medium' })];
  return splitCards({ title, head, sections, tail, fallbackText: `${r.approvals.length} ${title.toLowerCase()}` }, options);
}

/**
 * `krb approvals <id>` and `krb verify <id>`: the request and its audit trail, with the buttons of
 * its state, so an admin can decide from any conversation (the bot checks who clicks).
 */
export function approvalResultCards(r: ApprovalResult): AdaptiveCard[] {
  const body = requestElements(r.approval, { approvers: r.approvers ?? [] });
  if (r.audit.length) {
    body.push(
      text('Audit trail', { weight: 'Bolder', spacing: 'Medium' }),
      facts(r.audit.slice(-40).map((e) => ({ title: when(e.at), value: `${e.action} · ${actorName(e.actor)}` }))),
    );
  }
  body.push(text(FOOTER, { isSubtle: true, size: 'Small', spacing: 'Medium' }));
  return [adaptiveCard(body, { actions: stateActions(r.approval), fallbackText: `SPN change request ${r.approval.id}: ${r.approval.status}` })];
}

/** Posted in the requester's conversation (as a reply in their thread) when an approver decides. */
export function approvalDecisionCard(r: ApprovalRecord): AdaptiveCard {
  const by = r.decidedBy ? ` by ${actorName(r.decidedBy)}` : '';
  const line =
    r.status === 'approved'
      ? `Change request ${r.id} was approved${by}. An admin runs the commands; krbops then verifies them in AD.`
      : `Change request ${r.id} was ${r.status}${by}${r.decisionReason ? `: ${clip(r.decisionReason, 500)}` : '.'}`;
  return adaptiveCard([container([text(line, { weight: 'Bolder' })], { style: STATUS_STYLE[r.status] })], { fallbackText: line });
}
