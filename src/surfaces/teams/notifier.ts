/**
 * Alerts to Teams: each saved channel conversation gets the alert as a new post
 * (continueConversationAsync on the reference saved when the bot was added to the channel).
 *
 * Re-delivery is idempotent per conversation: before posting to a conversation krbops records the
 * intent (`teams-alert:<alert key>:<conversation>` in the store, with a client-generated post id),
 * and right after the Bot Connector answers it records the activity ids it returned. When the outbox
 * re-delivers an alert left pending by a poster that died (src/notify.ts), `find` and `post` skip
 * every conversation whose activity ids are recorded: a crash between the post and the outbox's
 * commit posts nothing twice, and a crash halfway through the channels posts only to the rest. Only a
 * crash while a POST is in flight (Teams has the message, krbops never heard back) leaves an intent
 * without ids; the Bot Connector cannot list a channel's messages, so that one conversation gets the
 * alert again (logged as possibly a duplicate).
 */
import type { CloudAdapter, ConversationReference } from 'botbuilder';
import type { Logger } from 'pino';
import { alertCards } from '../../../cards/teams/index.js';
import { DestinationNotReadyError } from '../../notify.js';
import { cardActivity } from './bot.js';
import { randomUUID } from 'node:crypto';
import type { AlertPostStore, TeamsAlert } from './ports.js';

export interface TeamsNotifierOptions {
  adapter: CloudAdapter;
  appId: string;
  store: AlertPostStore;
  log: Logger;
}

/** What the store keeps of one alert in one conversation. */
export interface TeamsAlertPost {
  /** Client-generated id of the post attempt, recorded before the POST. */
  postId: string;
  /** Activity ids the Bot Connector returned, one per card; absent while the POST is in flight (or was cut short). */
  activityIds?: string[];
  at: string;
}

export const alertPostKey = (alertKey: string, conversation: string) => `teams-alert:${alertKey}:${conversation}`;

export interface TeamsPostResult {
  /** Conversation keys the alert reached. */
  sent: string[];
  /** Conversation keys that refused it, with the reason. */
  failed: { conversation: string; error: string }[];
}

export interface TeamsNotifier {
  readonly name: 'teams';
  /**
   * Posts the alert to every saved channel. Throws when none took it — including when krbops has not
   * been added to any channel yet — so the alert is not marked posted and the next run retries it.
   */
  post(alert: TeamsAlert): Promise<TeamsPostResult>;
  /**
   * The activity id of this alert when every saved channel has it recorded (a crash between the
   * post and the outbox's commit), else undefined (then `post` posts only where it is missing).
   */
  find(alert: TeamsAlert): Promise<string | undefined>;
}

export function createTeamsNotifier(options: TeamsNotifierOptions): TeamsNotifier {
  const { adapter, appId, store, log } = options;
  return {
    name: 'teams',
    async post(alert) {
      const cards = alertCards(alert);
      const conversations = await store.listConversations();
      if (!conversations.length) {
        throw new DestinationNotReadyError('krbops has not been added to any Teams channel yet (add the app to a team); the alert is kept for the next run');
      }
      const result: TeamsPostResult = { sent: [], failed: [] };
      for (const c of conversations) {
        const reference = c.reference as ConversationReference;
        const key = alertPostKey(String(alert.key ?? alert.title), c.id);
        try {
          const before = await store.getState<TeamsAlertPost>(key);
          if (before?.activityIds?.length) {
            // Posted by a poster that died before the outbox's commit: nothing to post again.
            log.info({ surface: 'teams', conversation: c.id, alertKey: alert.key, activityIds: before.activityIds }, 'alert already in this Teams channel; not posted again');
            result.sent.push(c.id);
            continue;
          }
          if (before) log.warn({ surface: 'teams', conversation: c.id, alertKey: alert.key, postId: before.postId }, 'a post of this alert was cut short; posting it again (it may show twice in this channel)');
          const postId = randomUUID();
          await store.setState(key, { postId, at: new Date().toISOString() } satisfies TeamsAlertPost);
          const activityIds: string[] = [];
          await adapter.continueConversationAsync(appId, reference, async (context) => {
            // A new post in the channel, not a reply to the continuation's made-up activity ID.
            context.activity.id = undefined as unknown as string;
            for (const card of cards) {
              const sent = await context.sendActivity({ ...cardActivity(card), channelData: { krbopsAlert: { key: alert.key, postId } } });
              if (sent?.id) activityIds.push(sent.id);
            }
          });
          await store.setState(key, { postId, activityIds, at: new Date().toISOString() } satisfies TeamsAlertPost);
          result.sent.push(c.id);
        } catch (e) {
          const error = e instanceof Error ? e.message : String(e);
          result.failed.push({ conversation: c.id, error });
          log.warn({ surface: 'teams', conversation: c.id, err: e }, 'alert not delivered to a Teams channel');
        }
      }
      if (!result.sent.length) {
        throw new Error(`The alert reached none of the ${conversations.length} Teams channel(s): ${result.failed.map((f) => f.error).join('; ').slice(0, 300)}`);
      }
      log.info({ surface: 'teams', title: alert.title, sent: result.sent.length, failed: result.failed.length }, 'alert posted to Teams');
      return result;
    },
    async find(alert) {
      const conversations = await store.listConversations();
      if (!conversations.length) return undefined;
      const ids: string[] = [];
      for (const c of conversations) {
        const rec = await store.getState<TeamsAlertPost>(alertPostKey(String(alert.key ?? alert.title), c.id));
        const first = rec?.activityIds?.[0];
        if (first === undefined) return undefined;
        ids.push(first);
      }
      return ids.join(',');
    },
  };
}
