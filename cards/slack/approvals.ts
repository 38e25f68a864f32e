/**
 * SPN change requests in Slack: the approval card posted to the admins' channel (Approve / Reject,
 * then the hand-off commands and "Verify in AD", then landed or what is still missing), the
 * requester's reply, and the `krb approvals` / `krb verify` answers. Pure Block Kit.
 */
import type { Actor, ApprovalRecord, ApprovalResult, ApprovalsListResult, ApprovalStatus } from '../../src/model/index.js';
import { actions, button, code, codeBlocks, context, esc, fallback, fitText, header, packLines, section, type Block, type SlackReply } from './blocks.js';
import { setspn } from '../../src/fix/index.js';
import { composeReply } from './compose.js';
import { SLACK_LIMITS } from './limits.js';

/** Action ids of the approval card's buttons (the value is the request ID). */
export const APPROVAL_ACTION = {
  approve: 'krbops:approval:approve',
  reject: 'krbops:approval:reject',
  verify: 'krbops:approval:verify',
  cancel: 'krbops:approval:cancel',
} as const;
/** Matches every approval action id; group 1 is the action name. */
export const APPROVAL_ACTION_RE = /^krbops:approval:(approve|reject|verify|cancel)$/;

const STATUS_EMOJI: Record<ApprovalStatus, string> = {
  pending: ':hourglass_flowing_sand:',
  approved: ':white_check_mark:',
  rejected: ':no_entry:',
  cancelled: ':heavy_multiplication_x:',
  landed: ':large_green_circle:',
  expired: ':alarm_clock:',
};

const MAX_SHOWN_CHANGES = 50;
/** User or directory text in mrkdwn: escaped, fitted, and a ``` in it cannot open a code block. */
const prose = (text: string, max: number) => esc(fitText(text.replace(/```/g, '`\u200b``'), max));
const when = (iso?: string) => (iso ? esc(`${iso.replace('T', ' ').slice(0, 16)} UTC`) : '');

/** A person: display name and chat ID, never a mention (no one is pinged by directory or user data). */
export function actorText(a: Actor): string {
  return a.name ? `*${prose(a.name, 80)}* (${code(fitText(a.id, 60))})` : code(fitText(a.id, 60));
}

/** A Slack channel ID becomes a channel link; anything else (a #name) is shown as text. */
export function channelText(channel: string): string {
  return /^[CG][A-Z0-9]{2,}$/.test(channel) ? `<#${channel}>` : esc(channel);
}

function approversText(approvers: readonly string[]): string {
  if (!approvers.length) return 'No krbops admins are configured (`KRBOPS_ADMINS`), so nobody can approve it yet.';
  return `Can approve (\`KRBOPS_ADMINS\`): ${approvers.slice(0, 20).map((a) => code(a)).join(', ')}${approvers.length > 20 ? ` +${approvers.length - 20} more` : ''}.`;
}

function aboutLines(r: ApprovalRecord): string[] {
  const lines = [`*Requested by* ${actorText(r.requester)} · ${when(r.createdAt)}`];
  if (r.finding?.title || r.finding?.subject) {
    lines.push(`*Finding:* ${prose(r.finding.title ?? '', 300)}${r.finding.subject ? ` — ${code(fitText(r.finding.subject, 200))}` : ''}${r.finding.ruleId ? ` (${code(r.finding.ruleId)})` : ''}`);
  }
  if (r.note) lines.push(`*Note:* ${prose(r.note, 1000)}`);
  return lines;
}

/** The commands as a code block (split over sections when long). */
function commandSections(commands: string[]): Block[] {
  const shown = commands.slice(0, MAX_SHOWN_CHANGES);
  const blocks: Block[] = codeBlocks(shown, SLACK_LIMITS.sectionText).map((t) => section(t));
  if (commands.length > shown.length) blocks.push(context(`${commands.length - shown.length} more; \`krb approvals\` with the request ID lists them all.`));
  return blocks;
}

function verificationLines(r: ApprovalRecord): string[] {
  const v = r.verification;
  if (!v) return [];
  return [
    v.landed ? `:large_green_circle: *Landed.* Verified in AD at ${when(v.checkedAt)}.` : `:warning: *Not landed yet* (checked in AD at ${when(v.checkedAt)}):`,
    ...v.results.slice(0, MAX_SHOWN_CHANGES).map((x) => `${x.landed ? ':white_check_mark:' : ':x:'} ${prose(x.detail, 400)}`),
  ];
}

export interface ApprovalCardOptions {
  /** The admins' chat IDs, shown on a pending request. */
  approvers?: readonly string[];
  /** Show Approve / Reject / Cancel / Verify buttons for the state. Default true. */
  buttons?: boolean;
  /** Now (ISO-8601): a pending request past its expiry is shown as expired, without buttons. */
  now?: string;
  /** A line on top (a stale pre-flight, a lost race). */
  notice?: string;
}

/** The pending request is past its expiry at `now`. */
const expiredAt = (r: ApprovalRecord, now?: string) => r.status === 'expired' || (r.status === 'pending' && !!r.expiresAt && !!now && now >= r.expiresAt);

/**
 * The card an admin acts on, for every state of the request:
 * pending → Approve / Reject; approved → the exact commands and "Verify in AD"; verified → what
 * landed and what is still missing; landed / rejected / cancelled → the outcome, no buttons.
 */
export function approvalCard(r: ApprovalRecord, o: ApprovalCardOptions = {}): SlackReply {
  const buttons = o.buttons !== false;
  const expired = expiredAt(r, o.now);
  const status = expired ? 'expired' : r.status;
  const blocks: Block[] = [header(`SPN change request ${r.id}`)];
  if (o.notice) blocks.push(section(`:warning: ${prose(o.notice, 1500)}`));
  const expiry = r.expiresAt && (r.status === 'pending' || r.status === 'expired') ? [expired ? `*Expired* at ${when(r.expiresAt)}: it can no longer be approved; request the change again if it is still needed.` : `*Expires* ${when(r.expiresAt)} if nobody decides.`] : [];
  blocks.push(...packLines([`${STATUS_EMOJI[status]} *${esc(status.toUpperCase())}*`, ...aboutLines(r), ...expiry], SLACK_LIMITS.sectionText).map((t) => section(t)));

  if (r.status === 'pending' || r.status === 'rejected' || r.status === 'cancelled' || r.status === 'expired') {
    blocks.push(section(`*Changes asked for* (${r.changes.length}):`), ...commandSections(r.changes.map((c) => setspn.change(c))));
  }
  if (r.status === 'pending' && !expired) {
    blocks.push(section(approversText(o.approvers ?? [])));
    if (buttons) {
      blocks.push(actions(button('Approve', APPROVAL_ACTION.approve, r.id, 'primary'), button('Reject…', APPROVAL_ACTION.reject, r.id, 'danger'), button('Cancel request…', APPROVAL_ACTION.cancel, r.id)));
    }
  }
  if (r.decidedBy) {
    const verb = r.status === 'rejected' ? 'Rejected' : r.status === 'cancelled' ? 'Cancelled' : 'Approved';
    blocks.push(section(`*${verb}* by ${actorText(r.decidedBy)} · ${when(r.decidedAt)}${r.decisionReason ? `\n*Reason:* ${prose(r.decisionReason, 1000)}` : ''}`));
  }
  if (r.status === 'approved' || r.status === 'landed') {
    blocks.push(section('*Run these as a domain admin* (krbops does not run them; `setspn -S` refuses a duplicate):'), ...commandSections(r.commands));
    if (r.rollback?.length) blocks.push(section('*To undo them* (if the service breaks afterwards):'), ...commandSections(r.rollback));
    const v = verificationLines(r);
    if (v.length) blocks.push(...packLines(v, SLACK_LIMITS.sectionText).map((t) => section(t)));
    else if (r.status === 'approved') blocks.push(section('When the commands have run, *Verify in AD* checks that each change landed.'));
    if (r.status === 'approved' && buttons) blocks.push(actions(button(r.verification ? 'Verify again' : 'Verify in AD', APPROVAL_ACTION.verify, r.id, 'primary')));
  }
  blocks.push(context(`krbops never writes to Active Directory: it hands the commands to an admin and then reads AD to confirm. Request ${code(r.id)}, updated ${when(r.updatedAt)}.`));
  return { text: fallback(`SPN change request ${r.id}: ${r.status}`), blocks: blocks.slice(0, SLACK_LIMITS.blocks), followUps: [] };
}

export interface RequestedReplyOptions {
  approvers: readonly string[];
  /** Where the approval card was posted (a channel ID or #name). */
  postedTo?: string;
  /** The approval card could not be posted there. */
  postFailed?: boolean;
}

/** The requester's reply to "Request this change": recorded, pending, who can approve, and where. */
export function approvalRequestedCard(r: ApprovalRecord, o: RequestedReplyOptions): SlackReply {
  const lines = [`:memo: *Change request ${code(r.id)} recorded: pending approval.*`, approversText(o.approvers)];
  if (o.postedTo && !o.postFailed) lines.push(`The request is posted for approval in ${channelText(o.postedTo)}.`);
  else if (o.postFailed) lines.push(`krbops could not post the request in ${o.postedTo ? channelText(o.postedTo) : 'the approvals channel'}; an admin finds it with \`/krb approvals --status pending\`.`);
  else lines.push('No approvals channel is configured (`KRBOPS_ALERT_SLACK_CHANNEL`); an admin finds it with `/krb approvals --status pending`.');
  lines.push('krbops never changes AD itself: the approving admin gets these commands, then krbops checks in AD that they landed.');
  return {
    text: fallback(`Change request ${r.id} recorded: pending approval`),
    blocks: [section(lines.join('\n')), ...commandSections(r.changes.map((c) => setspn.change(c)))],
    followUps: [],
  };
}

/** Posted in the requester's channel when an admin decides. */
export function approvalDecisionNotice(r: ApprovalRecord): SlackReply {
  const by = r.decidedBy ? ` by ${actorText(r.decidedBy)}` : '';
  const line =
    r.status === 'approved'
      ? `${STATUS_EMOJI.approved} Change request ${code(r.id)} of ${actorText(r.requester)} was *approved*${by}. An admin runs the commands; krbops then verifies them in AD.`
      : `${STATUS_EMOJI[r.status]} Change request ${code(r.id)} of ${actorText(r.requester)} was *${esc(r.status)}*${by}${r.decisionReason ? `: ${prose(r.decisionReason, 500)}` : '.'}`;
  return { text: fallback(`Change request ${r.id}: ${r.status}`), blocks: [section(line)], followUps: [] };
}

/** `krb approvals`: one compact section per request. */
export function approvalsListCard(r: ApprovalsListResult): SlackReply {
  const title = r.status ? `${r.status.charAt(0).toUpperCase()}${r.status.slice(1)} SPN change requests` : 'SPN change requests';
  if (!r.approvals.length) {
    return { text: fallback(`No ${title.toLowerCase()}`), blocks: [header(title), section(`No ${esc(r.status ?? '')}${r.status ? ' ' : ''}change requests.`)], followUps: [] };
  }
  const items = r.approvals.map((a) => {
    const about = a.finding?.title ? prose(a.finding.title, 200) : a.changes.slice(0, 3).map((c) => code(c.spn)).join(', ');
    return {
      blocks: [
        section(
          `${STATUS_EMOJI[a.status]} ${code(a.id)} *${esc(a.status)}* · ${a.changes.length} change${a.changes.length === 1 ? '' : 's'} · ${when(a.createdAt)}\n` +
            `${about}\nRequested by ${actorText(a.requester)}${a.decidedBy ? ` · ${a.status === 'landed' ? 'approved' : esc(a.status)} by ${actorText(a.decidedBy)}` : ''}`,
        ),
      ],
    };
  });
  const tail = [context(`${r.approvals.length === r.limit ? `The newest ${r.limit}. ` : ''}\`/krb approvals <id>\` shows one with its audit trail; \`/krb verify <id>\` checks AD now.${r.admins ? '' : ' No krbops admins are configured (`KRBOPS_ADMINS`).'}`)];
  return composeReply({ text: fallback(`${r.approvals.length} ${title.toLowerCase()}`), head: [header(title)], items, tail, noun: 'requests' });
}

/**
 * `krb approvals <id>` and `krb verify <id>`: the request and its audit trail, with the buttons of
 * its state, so an admin can decide from wherever they asked (the actions check who clicks).
 */
export function approvalResultCard(r: ApprovalResult): SlackReply {
  const card = approvalCard(r.approval, { approvers: r.approvers ?? [] });
  const trail = r.audit.slice(-40).map((e) => `${when(e.at)} · *${esc(e.action)}* · ${actorText(e.actor)}`);
  const blocks = [...card.blocks];
  const last = blocks.pop()!;
  if (trail.length) blocks.push(...packLines(['*Audit trail*', ...trail], SLACK_LIMITS.sectionText).map((t) => section(t)));
  blocks.push(last);
  return { ...card, blocks: blocks.slice(0, SLACK_LIMITS.blocks) };
}

/** callback_id of the reason dialog; its private_metadata is ReasonModalMeta as JSON. */
export const REASON_MODAL_CALLBACK = 'krbops:approval:reason';
/** block_id / action_id of the reason field. */
export const REASON_FIELD = { block: 'reason', action: 'reason' } as const;

/** What the dialog carries back: the request, the step, and the approval card to update. */
export interface ReasonModalMeta {
  id: string;
  step: 'reject' | 'cancel';
  channel?: string;
  ts?: string;
}

/**
 * The dialog Reject and Cancel open (views.open): the reason is required to reject and optional to
 * cancel. Pure; the surface opens it with the click's trigger_id.
 */
export function reasonModal(meta: ReasonModalMeta): Record<string, unknown> {
  const reject = meta.step === 'reject';
  return {
    type: 'modal',
    callback_id: REASON_MODAL_CALLBACK,
    private_metadata: JSON.stringify(meta),
    title: { type: 'plain_text', text: reject ? 'Reject request' : 'Cancel request' },
    submit: { type: 'plain_text', text: reject ? 'Reject' : 'Cancel request' },
    close: { type: 'plain_text', text: 'Back' },
    blocks: [
      section(reject ? `Reject SPN change request ${code(meta.id)}? The requester sees the reason.` : `Cancel SPN change request ${code(meta.id)}? Nothing in AD changes.`),
      {
        type: 'input',
        block_id: REASON_FIELD.block,
        optional: !reject,
        label: { type: 'plain_text', text: reject ? 'Reason' : 'Reason (optional)' },
        element: { type: 'plain_text_input', action_id: REASON_FIELD.action, multiline: true, max_length: 1000 },
      },
    ],
  };
}
