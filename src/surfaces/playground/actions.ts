/**
 * The playground's buttons: "Request this change" (Teams Action.Execute or Slack button) and the
 * approval card's Approve / Reject / "Verify in AD", against the local store, as the demo engineer
 * or the demo admin. The values come from the page, so they are checked like any chat input.
 */
import { approvalCard as slackApprovalCard, approvalRequestedCard, APPROVAL_ACTION_RE, decodeChangeRef, REQUEST_CHANGE_ACTION } from '../../../cards/slack/index.js';
import { APPROVAL_VERBS, approvalCard as teamsApprovalCard, changeRequestedCard, REQUEST_CHANGE_VERB } from '../../../cards/teams/index.js';
import { errorResultOf } from '../../../commands/error-result.js';
import type { Actor } from '../../../commands/types.js';
import type { ChatApprovals } from '../../approvals/ports.js';
import type { SpnChange } from '../../rules/types.js';
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

/** Runs one button click; errors (not an admin, own request, already decided) come back as error cards. */
export async function runAction(a: PlaygroundAction, actor: Actor, approvals: ChatApprovals | undefined): Promise<PlaygroundAnswer> {
  try {
    if (!approvals) throw new InvalidInputError('Change requests are not configured on this bot (no store); nothing was requested.');
    const p = parse(a);
    if ('request' in p) {
      const view = await approvals.requestChange({ ...p.request, requester: actor });
      const record = await approvals.get(view.id);
      const slackReply = approvalRequestedCard(record, { approvers: approvals.approvers });
      const slackCard = slackApprovalCard(record, { approvers: approvals.approvers });
      return {
        command: 'request-change',
        kind: 'approval',
        teams: [changeRequestedCard(view), teamsApprovalCard(record, { approvers: approvals.approvers })],
        slack: { ...slackReply, followUps: [...slackReply.followUps, { text: slackCard.text, blocks: slackCard.blocks }] },
      };
    }
    const record = p.step === 'verify' ? await approvals.verify(p.id, actor) : await approvals.decide(p.id, actor, p.step);
    return { command: `approval ${p.step}`, kind: 'approval', teams: [teamsApprovalCard(record, { approvers: approvals.approvers })], slack: slackApprovalCard(record, { approvers: approvals.approvers }) };
  } catch (e) {
    return { command: 'action', kind: 'error', ...render(errorResultOf(e)) };
  }
}
