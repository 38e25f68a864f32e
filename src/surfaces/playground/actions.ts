/**
 * The playground's buttons: "Request this change" (Teams Action.Execute or Slack button) and the
 * approval card's Approve / Reject / "Verify in AD", against the local store, as the demo engineer
 * or the demo admin. The values come from the page, so they are checked like any chat input.
 */
import type { Actor, SpnChange } from '../../model/index.js';
import { approvalCard as slackApprovalCard, approvalRequestedCard, APPROVAL_ACTION_RE, decodeChangeRef, REQUEST_CHANGE_ACTION } from '../../../cards/slack/index.js';
import { APPROVAL_VERBS, approvalCard as teamsApprovalCard, changeRequestedCard, REQUEST_CHANGE_VERB } from '../../../cards/teams/index.js';
import type { Logger } from 'pino';
import { approvalAction, requestChange } from '../../../commands/change-requests.js';
import { errorResultOf } from '../../../commands/error-result.js';
import type { ChatApprovals } from '../../approvals/ports.js';
import { InvalidInputError } from '../../errors.js';
import { approvalActionSchema, requestChangeSchema } from '../teams/bot.js';
import { render, type PlaygroundAnswer } from './run.js';

export interface PlaygroundAction {
  surface: 'teams' | 'slack';
  /** Teams: the Action.Execute verb and data. */
  verb?: string;
  data?: unknown;
  /** Slack: the button's action_id and value. */
  actionId?: string;
  value?: string;
}

type Step = 'approve' | 'reject' | 'verify';
const TEAMS_STEPS: Record<string, Step> = { [APPROVAL_VERBS.approve]: 'approve', [APPROVAL_VERBS.reject]: 'reject', [APPROVAL_VERBS.verify]: 'verify' };

interface Request {
  changes: SpnChange[];
  finding: { ruleId?: string; title?: string; subject?: string };
  url?: string;
}

function parse(a: PlaygroundAction): { request: Request } | { step: Step; id: string } {
  if (a.surface === 'teams') {
    if (a.verb === REQUEST_CHANGE_VERB) {
      const r = requestChangeSchema.safeParse(a.data);
      if (!r.success) throw new InvalidInputError('The change request on this card is not valid; run the command again for a fresh card.');
      return { request: { changes: r.data.changes, finding: { ruleId: r.data.ruleId, subject: r.data.subject, title: r.data.summary }, url: r.data.url } };
    }
    const step = a.verb ? TEAMS_STEPS[a.verb] : undefined;
    const id = approvalActionSchema.safeParse(a.data);
    if (step && id.success) return { step, id: id.data.id };
  } else {
    if (a.actionId?.startsWith(REQUEST_CHANGE_ACTION)) {
      const ref = decodeChangeRef(a.value);
      if (!ref) throw new InvalidInputError('The change request on this button is not valid; run the command again.');
      return { request: { changes: ref.changes, finding: { ruleId: ref.ruleId, title: ref.title, subject: ref.subject }, url: ref.url } };
    }
    const m = a.actionId ? APPROVAL_ACTION_RE.exec(a.actionId) : null;
    if (m && a.value && a.value.length <= 40) return { step: m[1] as Step, id: a.value };
  }
  throw new InvalidInputError(`krbops has no action "${String(a.verb ?? a.actionId ?? '').slice(0, 60)}".`);
}

/** Runs one button click through the approvals flow every chat surface runs (commands/change-requests.ts). */
export async function runAction(a: PlaygroundAction, actor: Actor, approvals: ChatApprovals | undefined, log: Logger): Promise<PlaygroundAnswer> {
  let p: ReturnType<typeof parse>;
  try {
    p = parse(a);
  } catch (e) {
    return { command: 'action', kind: 'error', ...render(errorResultOf(e)) };
  }
  if ('request' in p) {
    const o = await requestChange(approvals, { ...p.request, requester: actor }, log);
    if (o.type === 'unavailable') return { command: 'request-change', kind: 'error', ...render(errorResultOf(new InvalidInputError('Change requests are not configured on this bot; nothing was requested.'))) };
    if (o.type === 'failed') return { command: 'request-change', kind: 'error', ...render(o.error) };
    const record = o.approval?.record ?? (await approvals!.get(o.view.id));
    const approvers = o.approval?.approvers ?? approvals!.approvers;
    const reply = approvalRequestedCard(record, { approvers });
    const card = slackApprovalCard(record, { approvers });
    return {
      command: 'request-change',
      kind: 'approval',
      teams: [changeRequestedCard(o.view), teamsApprovalCard(record, { approvers })],
      slack: { ...reply, followUps: [...reply.followUps, { text: card.text, blocks: card.blocks }] },
    };
  }
  const o = await approvalAction(approvals, { id: p.id, actor, step: p.step }, log);
  if (o.type === 'unavailable') return { command: `approval ${p.step}`, kind: 'error', ...render(errorResultOf(new InvalidInputError('SPN change approvals are not enabled on this bot; nothing changed.'))) };
  if (o.type === 'refused') return { command: `approval ${p.step}`, kind: 'error', ...render(o.error) };
  return { command: `approval ${p.step}`, kind: 'approval', teams: [teamsApprovalCard(o.record, { approvers: o.approvers })], slack: slackApprovalCard(o.record, { approvers: o.approvers }) };
}
