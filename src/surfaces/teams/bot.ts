/**
 * The turn logic: messages → commands → Adaptive Cards, "Request this change" invokes → approvals,
 * the bot added to a channel → its conversation reference saved for alerts.
 */
import { ActivityTypes, CardFactory, TurnContext, type Activity, type CloudAdapter, type ConversationReference } from 'botbuilder';
import type { Logger } from 'pino';
import { z } from 'zod';
import { commands as registry } from '../../../commands/index.js';
import { approvalAction, requestChange } from '../../../commands/change-requests.js';
import { observePlan, runCommand, type CommandHooks } from '../../../commands/run.js';
import type { AnyCommand, CommandObservation } from '../../../commands/types.js';
import type { Actor } from '../../model/index.js';
import {
  APPROVAL_VERBS,
  approvalCard,
  CARD_CONTENT_TYPE,
  approvalsNotConfiguredCard,
  cardsForResult,
  changeRequestedCard,
  errorCard,
  helpCards,
  REASON_INPUT_ID,
  approvalDecisionCard,
  REQUEST_CHANGE_VERB,
  welcomeCard,
  type AdaptiveCard,
} from '../../../cards/teams/index.js';
import { approvalFlow, type ChangeRequestPort } from '../../approvals/ports.js';
import type { Config } from '../../config.js';
import type { CoreOptions } from '../../core.js';
import { KrbopsError, NotAuthorizedError } from '../../errors.js';
import { planTeamsMessage, type TeamsPlan } from './dispatch.js';
import type { ConversationStore } from './ports.js';
import type { CommandGate } from '../../policy/gate.js';
import { placeOfActivity, postToApprovers, tellRequester } from './approval-routing.js';
import { teamsEmailOf } from './identity.js';

export interface TeamsBotOptions {
  config: Config;
  log: Logger;
  /** Commands offered; default the registry (commands/index.ts). */
  commands?: AnyCommand[];
  /** Passed to createContext for every command (e.g. a different clock). Default none. */
  core?: CoreOptions;
  /** Where channel conversation references are saved for alerts; default none (nothing saved). */
  store?: ConversationStore;
  /**
   * The approvals flow behind "Request this change"; default none (the button says so). With the
   * approval actions too (src/approvals createChatApprovals), each request is followed by an
   * approval card in the same conversation with Approve / Reject, then "Verify in AD".
   */
  approvals?: ChangeRequestPort;
  /**
   * How long a command may run inside the turn. Teams gives a bot 15 s to answer the HTTP request;
   * a slower command is acknowledged and its answer posted later in the same thread. Default 8000 ms.
   */
  replyWithinMs?: number;
  /** Called after each command (commands/run.ts hook: metrics, audit). */
  observe?(o: CommandObservation): void;
  /** Before each command runs (commands/run.ts hook: access policy); throw NotAuthorizedError to refuse. */
  authorize?: CommandHooks['authorize'];
  /** The access policy and the command audit (src/policy/gate.ts). Without it every command runs for everyone (tests of other parts). */
  gate?: CommandGate;
}

const spnChangeSchema = z.object({
  action: z.enum(['add', 'remove']),
  spn: z.string().min(3).max(500).regex(/^[^\s/]+\/\S+$/, 'not an SPN'),
  account: z.string().min(1).max(300),
  accountDn: z.string().max(1000).optional(),
});

/** What Approve / Reject / "Verify in AD" send back: the request ID. */
export const approvalActionSchema = z.object({ id: z.string().min(1).max(40), [REASON_INPUT_ID]: z.string().max(4000).optional() });

type ApprovalStep = 'approve' | 'reject' | 'verify' | 'cancel';
const APPROVAL_VERB_STEPS: Record<string, ApprovalStep> = {
  [APPROVAL_VERBS.cancel]: 'cancel',
  [APPROVAL_VERBS.approve]: 'approve',
  [APPROVAL_VERBS.reject]: 'reject',
  [APPROVAL_VERBS.verify]: 'verify',
};

/** The approvals port when it offers the approval actions too (not only requestChange). */

/** What a "Request this change" button sends back; it comes from the client, so it is checked like any input. */
export const requestChangeSchema = z.object({
  ruleId: z.string().max(100),
  subject: z.string().max(500).optional(),
  url: z.string().max(2048).optional(),
  summary: z.string().max(1000).optional(),
  changes: z.array(spnChangeSchema).min(1).max(50),
});

type InvokeBody = { statusCode: number; type: string; value: unknown };

function messageResponse(text: string): InvokeBody {
  return { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: text };
}

/** Universal Actions: the card in the response replaces the one the button was on. */
function cardResponse(card: AdaptiveCard): InvokeBody {
  return { statusCode: 200, type: CARD_CONTENT_TYPE, value: card };
}

function errorResponse(statusCode: number, code: string, message: string): InvokeBody {
  return { statusCode, type: 'application/vnd.microsoft.error', value: { code, message } };
}

/** The user who sent the activity: their Entra object ID when Teams gives it. */
export function actorOf(a: Partial<Activity>): Actor {
  return { surface: 'teams', id: a.from?.aadObjectId ?? a.from?.id ?? 'unknown', name: a.from?.name || undefined };
}

/** The store key of a conversation: the channel's conversation ID without the thread suffix. */
export function conversationKey(ref: Partial<ConversationReference>): string {
  return String(ref.conversation?.id ?? '').split(';', 1)[0]!;
}

/** A card as a message activity. */
export function cardActivity(card: AdaptiveCard): Partial<Activity> {
  return { type: ActivityTypes.Message, attachments: [CardFactory.adaptiveCard(card)] };
}

export class TeamsBot {
  readonly commands: AnyCommand[];
  private readonly pending = new Set<Promise<unknown>>();
  private readonly replyWithinMs: number;

  constructor(
    private readonly adapter: CloudAdapter,
    private readonly appId: string,
    private readonly options: TeamsBotOptions,
  ) {
    this.commands = options.commands ?? registry;
    this.replyWithinMs = options.replyWithinMs ?? 8000;
  }

  /** The adapter's logic callback: one turn. */
  readonly onTurn = async (context: TurnContext): Promise<void> => {
    switch (context.activity.type as ActivityTypes) {
      case ActivityTypes.Message:
        return this.onMessage(context);
      case ActivityTypes.Invoke:
        return this.onInvoke(context);
      case ActivityTypes.ConversationUpdate:
        return this.onConversationUpdate(context);
      default:
        return;
    }
  };

  /** Waits for answers still being computed after their turn ended (graceful shutdown). */
  async drain(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  /** Sends cards as consecutive messages (each card is its own activity, each under Teams' limit). */
  async sendCards(context: TurnContext, cards: AdaptiveCard[]): Promise<void> {
    for (const card of cards) await context.sendActivity(cardActivity(card));
  }

  private async onMessage(context: TurnContext): Promise<void> {
    const a = context.activity;
    // Older clients send Action.Submit data as a message with `value` and no text; krbops' cards have none.
    if (!a.text && a.value) return;
    const plan = planTeamsMessage(this.commands, a.text ?? '');
    const channel = a.conversation?.id ? conversationKey({ conversation: a.conversation }) : undefined;
    const actor = actorOf(a);
    const where = placeOfActivity(a);
    const emailOf = teamsEmailOf(context, this.options.log);
    const gate = this.options.gate;
    const line = (a.text ?? '').replace(/<at>[^<]*<\/at>/g, '').trim().slice(0, 500);
    if (plan.type !== 'run') {
      observePlan(plan, actor, { hooks: { observe: this.observer(line) } }, { channel });
      if (plan.type === 'error') return this.sendCards(context, [errorCard(plan.error)]);
      return this.sendCards(context, helpCards(gate ? await gate.visible(this.commands, actor, where, emailOf) : this.commands));
    }

    await context.sendActivity({ type: ActivityTypes.Typing });
    const work = this.run(plan, actor, channel, { line, authorize: gate ? (r) => gate.authorize({ ...r, place: where, emailOf }) : this.options.authorize });
    const timer = new Promise<null>((resolve) => setTimeout(resolve, this.replyWithinMs, null).unref());
    const cards = await Promise.race([work, timer]);
    if (cards) return this.sendCards(context, cards);

    await context.sendActivity({ type: ActivityTypes.Message, text: `Still working on "${plan.line}"; the answer will follow in this conversation.` });
    const reference = TurnContext.getConversationReference(a) as ConversationReference;
    this.track(work.then((late) => this.sendLater(reference, late)));
  }

  /** Runs a planned command through the one path (commands/run.ts); failures become error cards. */
  private async run(plan: Extract<TeamsPlan, { type: 'run' }>, actor: Actor, channel: string | undefined, o: { line: string; authorize?: CommandHooks['authorize'] }): Promise<AdaptiveCard[]> {
    const log = this.options.log.child({ surface: 'teams', command: plan.command.path.join(' ') });
    const outcome = await runCommand(
      { actor, command: plan.command, args: plan.args, line: plan.line, ...(channel ? { channel } : {}) },
      { config: this.options.config, log, core: this.options.core, hooks: { authorize: o.authorize, observe: this.observer(o.line) } },
    );
    if (!outcome.ok) return [errorCard(outcome.result)];
    log.info({ ms: Math.round(outcome.durationMs), kind: outcome.result.kind, user: actor.id }, 'command answered');
    return cardsForResult(outcome.result, plan.command);
  }

  /** Metrics and, with the gate, the command audit (with the words as typed). */
  private observer(line: string): CommandHooks['observe'] {
    return (o) => {
      this.options.observe?.(o);
      this.options.gate?.observe({ ...o, line });
    };
  }

  private async sendLater(reference: ConversationReference, cards: AdaptiveCard[]): Promise<void> {
    await this.adapter.continueConversationAsync(this.appId, reference, async (context) => {
      // A continued turn gets a fresh activity ID; the user's message ID makes the answer a reply to it.
      context.activity.id = reference.activityId;
      await this.sendCards(context, cards);
    });
  }

  private track(p: Promise<unknown>): void {
    const tracked = p.catch((e: unknown) => this.options.log.error({ err: e, surface: 'teams' }, 'sending a late answer failed'));
    this.pending.add(tracked);
    void tracked.finally(() => this.pending.delete(tracked));
  }

  private async onInvoke(context: TurnContext): Promise<void> {
    const a = context.activity;
    // The HTTP status mirrors the body's statusCode, as botbuilder's ActivityHandler answers invokes.
    const respond = (body: InvokeBody) => context.sendActivity({ type: ActivityTypes.InvokeResponse, value: { status: body.statusCode, body } });
    if (a.name !== 'adaptiveCard/action') {
      await context.sendActivity({ type: ActivityTypes.InvokeResponse, value: { status: 501 } });
      return;
    }
    const action = (a.value as { action?: { type?: string; verb?: string; data?: unknown } } | undefined)?.action;
    const approvalStep = action?.verb ? APPROVAL_VERB_STEPS[action.verb] : undefined;
    if (approvalStep) {
      await respond(await this.onApprovalAction(context, approvalStep, action!.data));
      return;
    }
    if (action?.verb !== REQUEST_CHANGE_VERB) {
      await respond(errorResponse(400, 'BadRequest', `krbops has no action "${String(action?.verb ?? '').slice(0, 60)}".`));
      return;
    }
    const parsed = requestChangeSchema.safeParse(action.data);
    if (!parsed.success) {
      await respond(errorResponse(400, 'BadRequest', 'The change request on this card is not valid; run the command again for a fresh card.'));
      return;
    }
    const data = parsed.data;
    const actor = actorOf(a);
    const log = this.options.log.child({ surface: 'teams', action: REQUEST_CHANGE_VERB, user: actor.id });
    const outcome = await requestChange(
      this.options.approvals,
      {
        changes: data.changes, requester: actor, finding: { ruleId: data.ruleId, subject: data.subject, title: data.summary }, url: data.url,
        reference: TurnContext.getConversationReference(a) as unknown as Record<string, unknown>,
      },
      log,
    );
    if (outcome.type === 'unavailable') {
      log.info({ changes: data.changes.length }, 'change request refused: approvals not configured');
      await this.sendCards(context, [approvalsNotConfiguredCard(data.changes)]);
      await respond(messageResponse('Change requests are not configured on this bot; nothing was requested.'));
      return;
    }
    if (outcome.type === 'failed') {
      await this.sendCards(context, [errorCard(outcome.error)]);
      await respond(messageResponse(`The change request failed: ${outcome.error.message}`));
      return;
    }
    // With the approval actions, the approvers' card (Approve / Reject / Cancel) goes to
    // KRBOPS_APPROVER_TEAMS_CHANNEL when the bot was added there, else follows in this conversation.
    const approval = outcome.approval ? approvalCard(outcome.approval.record, { approvers: outcome.approval.approvers, now: new Date().toISOString() }) : undefined;
    const postedElsewhere = approval ? await postToApprovers({ adapter: this.adapter, appId: this.appId, config: this.options.config, store: this.options.store }, cardActivity(approval), log) : false;
    await this.sendCards(context, [changeRequestedCard(outcome.view), ...(approval && !postedElsewhere ? [approval] : [])]);
    await respond(messageResponse(`Change request ${outcome.view.id} recorded (${outcome.view.status}).`));
  }

  /**
   * Approve / Reject / "Verify in AD" on an approval card. The new state replaces the card for the
   * clicker (invoke response) and for everyone else (the posted message is updated). A refusal is
   * a message to the clicker alone, and nothing changes.
   */
  private async onApprovalAction(context: TurnContext, step: ApprovalStep, data: unknown): Promise<InvokeBody> {
    const a = context.activity;
    if (!approvalFlow(this.options.approvals)) return messageResponse('SPN change approvals are not enabled on this bot; nothing changed.');
    const parsed = approvalActionSchema.safeParse(data);
    if (!parsed.success) return errorResponse(400, 'BadRequest', 'This card does not name a change request; list them with "krb approvals".');
    const actor = actorOf(a);
    const log = this.options.log.child({ surface: 'teams', action: `approval:${step}`, user: actor.id, request: parsed.data.id });
    const show = async (card: AdaptiveCard): Promise<InvokeBody> => {
      if (a.replyToId) {
        await context.updateActivity({ ...cardActivity(card), id: a.replyToId }).catch((e: unknown) => log.info({ err: e }, 'could not update the approval card for everyone'));
      }
      return cardResponse(card);
    };
    const reason = parsed.data[REASON_INPUT_ID]?.trim() || undefined;
    if (step === 'reject' && !reason) return messageResponse("Write the reason in the card's Reason field, then press Reject: the requester sees it. Nothing changed.");
    const outcome = await approvalAction(this.options.approvals, { id: parsed.data.id, actor, step, reason, emailOf: teamsEmailOf(context, log), withOrigin: true }, log);
    const now = new Date().toISOString();
    if (outcome.type === 'unavailable') return messageResponse('SPN change approvals are not enabled on this bot; nothing changed.');
    if (outcome.type === 'done') {
      if (step !== 'verify') await tellRequester({ adapter: this.adapter, appId: this.appId }, approvalFlow(this.options.approvals)!, outcome.record, cardActivity(approvalDecisionCard(outcome.record)), String(a.conversation?.id ?? ''), log);
      return show(approvalCard(outcome.record, { approvers: outcome.approvers, now }));
    }
    if (outcome.thrown instanceof NotAuthorizedError) return messageResponse(outcome.error.message);
    // Someone else decided first, it expired, or AD changed: show the card as it is now, with why.
    if (outcome.current) return show(approvalCard(outcome.current, { approvers: outcome.approvers, notice: outcome.notice ?? outcome.error.message, now }));
    return messageResponse(outcome.error.message + (outcome.thrown instanceof KrbopsError ? '' : ` (log reference ${outcome.ref})`));
  }

  private async onConversationUpdate(context: TurnContext): Promise<void> {
    const a = context.activity;
    const botId = a.recipient?.id;
    const channelData = (a.channelData ?? {}) as { team?: { name?: string }; channel?: { name?: string } };
    const isChannel = a.conversation?.conversationType === 'channel';
    const reference = TurnContext.getConversationReference(a) as ConversationReference;
    // Alerts start new posts: a saved reference must not point at the activity that added the bot.
    delete reference.activityId;
    const key = conversationKey(reference);

    if (a.membersAdded?.some((m) => m.id === botId)) {
      if (isChannel && this.options.store) {
        const name = [channelData.team?.name, channelData.channel?.name ?? 'General'].filter(Boolean).join(' / ') || undefined;
        await this.options.store.saveConversation({ id: key, reference, name });
        this.options.log.info({ surface: 'teams', conversation: key, name }, 'saved channel for alerts');
      }
      const where = isChannel ? 'channel' : a.conversation?.conversationType === 'groupChat' ? 'groupChat' : 'personal';
      await this.sendCards(context, [welcomeCard(where)]);
    }
    if (a.membersRemoved?.some((m) => m.id === botId) && isChannel && this.options.store) {
      await this.options.store.deleteConversation(key);
      this.options.log.info({ surface: 'teams', conversation: key }, 'removed from channel; alerts stop');
    }
  }
}
