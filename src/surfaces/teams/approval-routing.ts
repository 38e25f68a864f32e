/**
 * Where Teams messages of the approval flow go, and where a message came from:
 *  - the approval card to KRBOPS_APPROVER_TEAMS_CHANNEL (a channel the bot was added to, whose
 *    conversation reference is in the store), else it stays in the requester's conversation;
 *  - each decision to the requester's thread (the conversation reference saved with the request);
 *  - the place of a message as the access policy sees it (personal chat, team, channel).
 */
import type { ApprovalRecord } from '../../model/index.js';
import type { Activity, CloudAdapter, ConversationReference } from 'botbuilder';
import type { Logger } from 'pino';
import type { ApprovalActions } from '../../approvals/ports.js';
import type { Config } from '../../config.js';
import type { Place } from '../../policy/types.js';
import type { ConversationStore } from './ports.js';

/** The store key of a conversation: its ID without the thread suffix (`;messageid=…`). */
const keyOf = (id: string | undefined) => String(id ?? '').split(';')[0];

/** Where a Teams message was typed, as the access policy sees it. */
export function placeOfActivity(a: Partial<Activity>): Place {
  const data = (a.channelData ?? {}) as { team?: { id?: string } };
  return {
    surface: 'teams',
    channelId: keyOf(a.conversation?.id),
    ...(data.team?.id ? { teamId: data.team.id } : {}),
    direct: a.conversation?.conversationType === 'personal',
  };
}

/** Posts the approval card to KRBOPS_APPROVER_TEAMS_CHANNEL; false when none is set or saved (the bot was not added there). */
export async function postToApprovers(
  o: { adapter: CloudAdapter; appId: string; config: Pick<Config, 'approverChannels'>; store?: ConversationStore },
  activity: Partial<Activity>,
  log: Logger,
): Promise<boolean> {
  const target = o.config.approverChannels?.teams;
  if (!target || !o.store) return false;
  const saved = (await o.store.listConversations()).find((c) => c.id === keyOf(target));
  if (!saved) {
    log.warn({ conversation: target }, "KRBOPS_APPROVER_TEAMS_CHANNEL: krbops was not added to that conversation; the approval card stays in the requester's conversation");
    return false;
  }
  try {
    await o.adapter.continueConversationAsync(o.appId, saved.reference as ConversationReference, async (ctx) => {
      await ctx.sendActivity(activity);
    });
    return true;
  } catch (e) {
    log.warn({ err: e, conversation: target }, "could not post the approval card to the approvers' channel");
    return false;
  }
}

/** Tells the requester's thread about a decision made in another conversation. */
export async function tellRequester(
  o: { adapter: CloudAdapter; appId: string },
  flow: Pick<ApprovalActions, 'origin'>,
  record: ApprovalRecord,
  activity: Partial<Activity>,
  here: string,
  log: Logger,
): Promise<void> {
  const origin = await flow.origin(record.id).catch(() => ({}) as { reference?: Record<string, unknown> });
  const reference = origin.reference as ConversationReference | undefined;
  if (!reference?.conversation?.id || reference.conversation.id === here) return;
  try {
    await o.adapter.continueConversationAsync(o.appId, reference, async (ctx) => {
      // The requester's click is the activity replied to, so the notice lands in their thread.
      ctx.activity.id = reference.activityId;
      await ctx.sendActivity(activity);
    });
  } catch (e) {
    log.info({ err: e }, "could not tell the requester's conversation about the decision");
  }
}
