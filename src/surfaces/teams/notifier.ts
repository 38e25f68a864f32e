/**
 * Alerts to Teams: each saved channel conversation gets the alert as a new post
 * (continueConversationAsync on the reference saved when the bot was added to the channel).
 */
import type { CloudAdapter, ConversationReference } from 'botbuilder';
import type { Logger } from 'pino';
import { alertCards } from '../../../cards/teams/index.js';
import { DestinationNotReadyError } from '../../notify.js';
import { cardActivity } from './bot.js';
import type { ConversationStore, TeamsAlert } from './ports.js';

export interface TeamsNotifierOptions {
  adapter: CloudAdapter;
  appId: string;
  store: ConversationStore;
  log: Logger;
}

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
        try {
          await adapter.continueConversationAsync(appId, reference, async (context) => {
            // A new post in the channel, not a reply to the continuation's made-up activity ID.
            context.activity.id = undefined as unknown as string;
            for (const card of cards) await context.sendActivity(cardActivity(card));
          });
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
  };
}
