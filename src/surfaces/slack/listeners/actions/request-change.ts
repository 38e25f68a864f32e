/**
 * "Request this change" on a finding: records the request through the approvals port; with the
 * approval actions too, posts the approval card to KRBOPS_ALERT_SLACK_CHANNEL (else the
 * requester's channel) and tells the requester who decides.
 */
import type { App } from '@slack/bolt';
import {
  approvalCard, approvalRequestedCard, changeRequestedCard, changeRequestInvalidCard, changeRequestUnavailableCard, decodeChangeRef, errorCard,
  REQUEST_CHANGE_ACTION, type SlackReply,
} from '../../../../../cards/slack/index.js';
import { requestChange } from '../../../../../commands/change-requests.js';
import type { Actor } from '../../../../model/index.js';
import { deliverReply, slackBlocks } from '../../deliver.js';
import type { ListenerEnv } from '../env.js';

export function registerRequestChange(app: App, { config, deps, log, track }: ListenerEnv): void {
  app.action(new RegExp(`^${REQUEST_CHANGE_ACTION}`), async ({ ack, body, action, respond, client }) => {
    await ack();
    const value = (action as { value?: string }).value;
    const user = (body as { user?: { id: string; name?: string; username?: string } }).user;
    const channelId = (body as { channel?: { id?: string } }).channel?.id;
    const actor: Actor = { surface: 'slack', id: user?.id ?? 'unknown', name: user?.username ?? user?.name };
    const alog = log.child({ action: REQUEST_CHANGE_ACTION, user: actor.id });
    await track(
      (async () => {
        const ref = decodeChangeRef(value);
        let reply: SlackReply;
        if (!ref) reply = changeRequestInvalidCard();
        else {
          const input = {
            changes: ref.changes,
            requester: actor,
            finding: { ruleId: ref.ruleId, title: ref.title, subject: ref.subject },
            ...(ref.url ? { url: ref.url } : {}),
            ...(channelId ? { channelId } : {}),
          };
          const outcome = await requestChange(deps.approvals, input, alog);
          if (outcome.type === 'unavailable') reply = changeRequestUnavailableCard(ref.changes);
          else if (outcome.type === 'failed') reply = errorCard(outcome.error);
          else if (outcome.approval) {
            // The admins get the approval card; the requester hears that it is pending and who decides.
            const { record, approvers } = outcome.approval;
            const target = config.approverChannels.slack ?? channelId;
            let postFailed = false;
            if (target) {
              const card = approvalCard(record, { approvers, now: new Date().toISOString() });
              await client.chat.postMessage({ channel: target, text: card.text, blocks: slackBlocks(card.blocks), unfurl_links: false }).catch((e: unknown) => {
                alog.warn({ err: e, channel: target, id: record.id }, 'could not post the approval card');
                postFailed = true;
              });
            }
            reply = approvalRequestedCard(record, { approvers, postedTo: target, postFailed });
          } else reply = changeRequestedCard({ ...outcome.view, changes: outcome.view.changes?.length ? outcome.view.changes : ref.changes });
        }
        await deliverReply(reply, { respond, visibility: 'ephemeral', replaceOriginal: false, log: alog });
      })().catch((e) => alog.error({ err: e }, 'answering the button failed')),
    );
  });

  // Approve / Reject / "Verify in AD" on an approval card: the card is replaced with the new state;
}
