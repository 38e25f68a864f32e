/**
 * Who a Teams user is in AD: the UPN (else e-mail) of their Entra account as the Bot Connector
 * reports it for this conversation (TeamsInfo.getMember), never taken from what they typed.
 * https://learn.microsoft.com/microsoftteams/platform/bots/how-to/get-teams-context
 */
import { TeamsInfo, type TurnContext } from 'botbuilder';
import type { Logger } from 'pino';
import type { EmailOf } from '../../policy/access.js';

export function teamsEmailOf(context: TurnContext, log: Logger): EmailOf {
  return async (asker) => {
    if (asker.surface !== 'teams') return undefined;
    const from = context.activity.from;
    // The member lookup takes the sender's channel ID; the asker is always the sender of this turn.
    if (!from || (from.aadObjectId ?? from.id) !== asker.id) return undefined;
    try {
      const m = await TeamsInfo.getMember(context, from.id);
      return m.userPrincipalName || m.email || undefined;
    } catch (e) {
      log.warn({ err: e, user: asker.id }, 'TeamsInfo.getMember failed: the Teams user\'s UPN is unknown');
      return undefined;
    }
  };
}
