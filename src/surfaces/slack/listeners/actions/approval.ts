/**
 * Approve / "Verify in AD" on an approval card: the card is replaced with the new state; a refusal
 * (not an approver, own request, expired, stale) goes to the clicker alone and changes nothing.
 * Reject and Cancel open the reason dialog (../../approval-reason.ts), whose submission decides.
 */
import type { App } from '@slack/bolt';
import { APPROVAL_ACTION_RE, approvalCard, approvalDecisionNotice, errorCard, type SlackReply } from '../../../../../cards/slack/index.js';
import { approvalAction } from '../../../../../commands/change-requests.js';
import type { Actor } from '../../../../model/index.js';
import { approvalFlow } from '../../../../approvals/ports.js';
import { openReasonDialog } from '../../approval-reason.js';
import { deliverReply, respondWithRetry, slackBlocks } from '../../deliver.js';
import { slackEmailOf } from '../../identity.js';
import type { ListenerEnv } from '../env.js';

export function registerApprovalActions(app: App, { deps, log, track }: ListenerEnv): void {
  // a refusal (not an admin, own request) goes to the clicker alone and changes nothing.
  app.action(APPROVAL_ACTION_RE, async ({ ack, body, action, respond, client }) => {
    await ack();
    const name = APPROVAL_ACTION_RE.exec((action as { action_id?: string }).action_id ?? '')![1] as 'approve' | 'reject' | 'verify' | 'cancel';
    const id = String((action as { value?: string }).value ?? '').slice(0, 40);
    const user = (body as { user?: { id: string; name?: string; username?: string } }).user;
    const channelId = (body as { channel?: { id?: string } }).channel?.id;
    const actor: Actor = { surface: 'slack', id: user?.id ?? 'unknown', name: user?.username ?? user?.name };
    const alog = log.child({ action: `approval:${name}`, user: actor.id, request: id });
    const refuse = (reply: SlackReply) => deliverReply(reply, { respond, visibility: 'ephemeral', replaceOriginal: false, log: alog });
    const show = (card: SlackReply) => respondWithRetry(respond, { replace_original: true, text: card.text, blocks: slackBlocks(card.blocks) }, alog);
    await track(
      (async () => {
        if (name === 'reject' || name === 'cancel') {
          if (!approvalFlow(deps.approvals)) return refuse(errorCard({ kind: 'error', code: 'CONFIG_INVALID', message: 'SPN change approvals are not enabled on this krbops; nothing changed.' }));
          const container = (body as { container?: { channel_id?: string; message_ts?: string } }).container;
          await openReasonDialog(client, { id, step: name, triggerId: (body as { trigger_id?: string }).trigger_id, channel: container?.channel_id ?? channelId, ts: container?.message_ts }, alog);
          return;
        }
        const outcome = await approvalAction(deps.approvals, { id, actor, step: name, withOrigin: true, emailOf: slackEmailOf(client, alog) }, alog);
        if (outcome.type === 'unavailable') return refuse(errorCard({ kind: 'error', code: 'CONFIG_INVALID', message: 'SPN change approvals are not enabled on this krbops; nothing changed.' }));
        if (outcome.type === 'refused') {
          await refuse(errorCard(outcome.error));
          // Someone else decided first: show the card as it is now.
          if (outcome.current) await show(approvalCard(outcome.current, { approvers: outcome.approvers, now: new Date().toISOString(), notice: outcome.notice })).catch(() => undefined);
          return;
        }
        await show(approvalCard(outcome.record, { approvers: outcome.approvers, now: new Date().toISOString() }));
        const originChannel = outcome.origin?.channelId;
        if (originChannel && originChannel !== channelId) {
          const notice = approvalDecisionNotice(outcome.record);
          await client.chat.postMessage({ channel: originChannel, text: notice.text, blocks: slackBlocks(notice.blocks), unfurl_links: false }).catch((e: unknown) =>
            alog.info({ err: e, channel: originChannel }, 'could not tell the requester\'s channel about the decision'),
          );
        }
      })().catch((e) => alog.error({ err: e }, 'answering the approval button failed')),
    );
  });
}
