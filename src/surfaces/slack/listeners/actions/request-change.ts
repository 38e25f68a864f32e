/**
 * "Request this change" on a finding: records the request through the approvals port; with the
 * approval actions too, posts the approval card to KRBOPS_ALERT_SLACK_CHANNEL (else the
 * requester's channel) and tells the requester who decides.
 */
import { randomUUID } from 'node:crypto';
import type { App } from '@slack/bolt';
import {
  approvalCard, approvalRequestedCard, changeRequestedCard, changeRequestInvalidCard, changeRequestUnavailableCard, decodeChangeRef, errorCard,
  REQUEST_CHANGE_ACTION, type SlackReply,
} from '../../../../../cards/slack/index.js';
import type { Actor } from '../../../../model/index.js';
import { KrbopsError } from '../../../../errors.js';
import { deliverReply } from '../../deliver.js';
import { errorResultOf } from '../../dispatch.js';
import { approvalFlow, type ListenerEnv } from '../env.js';

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
        else if (!deps.approvals) reply = changeRequestUnavailableCard(ref.changes);
        else {
          try {
            const r = await deps.approvals.requestChange({
              changes: ref.changes,
              requester: actor,
              finding: { ruleId: ref.ruleId, title: ref.title, subject: ref.subject },
              ...(ref.url ? { url: ref.url } : {}),
              ...(channelId ? { channelId } : {}),
            });
            alog.info({ id: r.id, changes: ref.changes.length }, 'change requested');
            const flow = approvalFlow(deps.approvals);
            if (flow) {
              // The admins get the approval card; the requester hears that it is pending and who decides.
              const record = await flow.get(r.id);
              const target = config.slack?.alertChannel ?? channelId;
              let postFailed = false;
              if (target) {
                const card = approvalCard(record, { approvers: flow.approvers });
                await client.chat.postMessage({ channel: target, text: card.text, blocks: card.blocks as never, unfurl_links: false }).catch((e: unknown) => {
                  alog.warn({ err: e, channel: target, id: r.id }, 'could not post the approval card');
                  postFailed = true;
                });
              }
              reply = approvalRequestedCard(record, { approvers: flow.approvers, postedTo: target, postFailed });
            } else reply = changeRequestedCard({ ...r, changes: r.changes?.length ? r.changes : ref.changes });
          } catch (e) {
            const eref = randomUUID().slice(0, 8);
            if (!(e instanceof KrbopsError)) alog.error({ err: e, ref: eref }, 'change request failed');
            reply = errorCard(errorResultOf(e, eref));
          }
        }
        await deliverReply(reply, { respond, visibility: 'ephemeral', replaceOriginal: false, log: alog });
      })().catch((e) => alog.error({ err: e }, 'answering the button failed')),
    );
  });

  // Approve / Reject / "Verify in AD" on an approval card: the card is replaced with the new state;
}
