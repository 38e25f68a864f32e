/**
 * Approve / Reject / "Verify in AD" on an approval card: the card is replaced with the new state;
 * a refusal (not an admin, own request) goes to the clicker alone and changes nothing.
 */
import { randomUUID } from 'node:crypto';
import type { App } from '@slack/bolt';
import { APPROVAL_ACTION_RE, approvalCard, approvalDecisionNotice, errorCard, type SlackReply } from '../../../../../cards/slack/index.js';
import type { Actor } from '../../../../model/index.js';
import { ApprovalStateError } from '../../../../approvals/errors.js';
import { KrbopsError } from '../../../../errors.js';
import { deliverReply, respondWithRetry } from '../../deliver.js';
import { errorResultOf } from '../../dispatch.js';
import { approvalFlow, type ListenerEnv } from '../env.js';

export function registerApprovalActions(app: App, { deps, log, track }: ListenerEnv): void {
  // a refusal (not an admin, own request) goes to the clicker alone and changes nothing.
  app.action(APPROVAL_ACTION_RE, async ({ ack, body, action, respond, client }) => {
    await ack();
    const name = APPROVAL_ACTION_RE.exec((action as { action_id?: string }).action_id ?? '')![1] as 'approve' | 'reject' | 'verify';
    const id = String((action as { value?: string }).value ?? '').slice(0, 40);
    const user = (body as { user?: { id: string; name?: string; username?: string } }).user;
    const channelId = (body as { channel?: { id?: string } }).channel?.id;
    const actor: Actor = { surface: 'slack', id: user?.id ?? 'unknown', name: user?.username ?? user?.name };
    const alog = log.child({ action: `approval:${name}`, user: actor.id, request: id });
    const refuse = (reply: SlackReply) => deliverReply(reply, { respond, visibility: 'ephemeral', replaceOriginal: false, log: alog });
    const show = (card: SlackReply) => respondWithRetry(respond, { replace_original: true, text: card.text, blocks: card.blocks as never }, alog);
    await track(
      (async () => {
        const flow = approvalFlow(deps.approvals);
        if (!flow) return refuse(errorCard({ kind: 'error', code: 'CONFIG_INVALID', message: 'SPN change approvals are not enabled on this krbops; nothing changed.' }));
        try {
          const record = name === 'verify' ? await flow.verify(id, actor) : await flow.decide(id, actor, name);
          alog.info({ status: record.status }, 'approval action recorded');
          await show(approvalCard(record, { approvers: flow.approvers }));
          if (name !== 'verify') {
            const origin = await flow.origin(record.id).catch(() => ({ channelId: undefined }));
            if (origin.channelId && origin.channelId !== channelId) {
              const notice = approvalDecisionNotice(record);
              await client.chat.postMessage({ channel: origin.channelId, text: notice.text, blocks: notice.blocks as never, unfurl_links: false }).catch((e: unknown) =>
                alog.info({ err: e, channel: origin.channelId }, 'could not tell the requester\'s channel about the decision'),
              );
            }
          }
        } catch (e) {
          const eref = randomUUID().slice(0, 8);
          if (!(e instanceof KrbopsError)) alog.error({ err: e, ref: eref }, 'approval action failed');
          else alog.info({ code: e.code }, e.message);
          await refuse(errorCard(errorResultOf(e, eref)));
          // Someone else decided first: show the card as it is now.
          if (e instanceof ApprovalStateError) await show(approvalCard(await flow.get(e.id), { approvers: flow.approvers })).catch(() => undefined);
        }
      })().catch((e) => alog.error({ err: e }, 'answering the approval button failed')),
    );
  });

}
