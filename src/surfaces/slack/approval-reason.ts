/**
 * Reject and Cancel on the Slack approval card: the click opens a dialog (views.open with the
 * click's trigger_id) asking for the reason; its submission decides, replaces the approval card
 * (chat.update) and tells the requester's channel. A refusal (not an approver, expired, stale…)
 * is shown to the clicker alone (chat.postEphemeral) and changes nothing.
 */
import type { Actor } from '../../model/index.js';
import { randomUUID } from 'node:crypto';
import type { App, webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import { approvalCard, approvalDecisionNotice, errorCard, reasonModal, REASON_FIELD, REASON_MODAL_CALLBACK, type ReasonModalMeta } from '../../../cards/slack/index.js';
import { errorResultOf } from '../../../commands/error-result.js';
import { ApprovalStateError } from '../../approvals/errors.js';
import type { ApprovalActions } from '../../approvals/ports.js';
import { KrbopsError } from '../../errors.js';
import { slackBlocks } from './deliver.js';
import { slackEmailOf } from './identity.js';

interface Click {
  id: string;
  step: 'reject' | 'cancel';
  triggerId?: string;
  channel?: string;
  ts?: string;
}

/** Opens the reason dialog for a Reject / Cancel click. */
export async function openReasonDialog(client: webApi.WebClient, click: Click, log: Logger): Promise<void> {
  if (!click.triggerId) throw new Error('the click carries no trigger_id');
  const meta: ReasonModalMeta = { id: click.id, step: click.step, ...(click.channel ? { channel: click.channel } : {}), ...(click.ts ? { ts: click.ts } : {}) };
  await client.views.open({ trigger_id: click.triggerId, view: reasonModal(meta) as never });
  log.info({ request: click.id, step: click.step }, 'reason dialog opened');
}

function parseMeta(text: string | undefined): ReasonModalMeta | undefined {
  try {
    const m = JSON.parse(text ?? '') as Partial<ReasonModalMeta>;
    if (typeof m.id !== 'string' || (m.step !== 'reject' && m.step !== 'cancel')) return undefined;
    return { id: m.id.slice(0, 40), step: m.step, channel: typeof m.channel === 'string' ? m.channel.slice(0, 40) : undefined, ts: typeof m.ts === 'string' ? m.ts.slice(0, 40) : undefined };
  } catch {
    return undefined;
  }
}

/** Registers the dialog's submission handler. */
export function registerReasonDialog(app: App, o: { flow: () => ApprovalActions | undefined; log: Logger; track: <T>(p: Promise<T>) => Promise<T> }): void {
  app.view(REASON_MODAL_CALLBACK, async ({ ack, body, view, client }) => {
    await ack();
    const meta = parseMeta(view.private_metadata);
    const user = body.user as { id: string; name?: string; username?: string };
    const actor: Actor = { surface: 'slack', id: user.id, name: user.username ?? user.name };
    const log = o.log.child({ action: 'approval:reason', user: actor.id, request: meta?.id });
    const flow = o.flow();
    if (!meta || !flow) return;
    const reason = view.state.values[REASON_FIELD.block]?.[REASON_FIELD.action]?.value ?? undefined;
    const emailOf = slackEmailOf(client, log);
    const tell = (text: string) =>
      meta.channel ? client.chat.postEphemeral({ channel: meta.channel, user: actor.id, text }).then(() => undefined, (e: unknown) => log.info({ err: e }, 'could not tell the clicker')) : Promise.resolve();
    const update = async (record: Awaited<ReturnType<ApprovalActions['get']>>, notice?: string) => {
      if (!meta.channel || !meta.ts) return;
      const card = approvalCard(record, { approvers: flow.approvers, now: new Date().toISOString(), ...(notice ? { notice } : {}) });
      await client.chat.update({ channel: meta.channel, ts: meta.ts, text: card.text, blocks: slackBlocks(card.blocks) }).catch((e: unknown) => log.info({ err: e }, 'could not update the approval card'));
    };
    await o.track(
      (async () => {
        try {
          const record = meta.step === 'reject' ? await flow.decide(meta.id, actor, 'reject', reason, emailOf) : await flow.cancel(meta.id, actor, reason, emailOf);
          log.info({ status: record.status }, 'approval decision recorded');
          await update(record);
          const origin = await flow.origin(record.id).catch(() => ({ channelId: undefined }));
          if (origin.channelId && origin.channelId !== meta.channel) {
            const notice = approvalDecisionNotice(record);
            await client.chat.postMessage({ channel: origin.channelId, text: notice.text, blocks: slackBlocks(notice.blocks), unfurl_links: false }).catch((e: unknown) => log.info({ err: e }, "could not tell the requester's channel"));
          }
        } catch (e) {
          const ref = randomUUID().slice(0, 8);
          if (!(e instanceof KrbopsError)) log.error({ err: e, ref }, 'approval decision failed');
          await tell(errorCard(errorResultOf(e, ref)).text);
          if (e instanceof ApprovalStateError) await update(await flow.get(e.id), e.message).catch(() => undefined);
        }
      })(),
    );
  });
}
