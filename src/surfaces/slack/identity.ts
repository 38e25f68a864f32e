/**
 * Who a Slack user is in AD: the e-mail address of their Slack profile (users.info, scope
 * users:read.email), vouched for by Slack, never taken from what they typed.
 * https://api.slack.com/methods/users.info
 */
import type { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import type { EmailOf } from '../../policy/access.js';

export function slackEmailOf(client: webApi.WebClient, log: Logger): EmailOf {
  return async (asker) => {
    if (asker.surface !== 'slack') return undefined;
    try {
      const r = await client.users.info({ user: asker.id });
      const u = r.user as { deleted?: boolean; is_bot?: boolean; profile?: { email?: string } } | undefined;
      return u && !u.deleted && !u.is_bot ? u.profile?.email : undefined;
    } catch (e) {
      log.warn({ err: e, user: asker.id }, 'users.info failed: the Slack user\'s e-mail is unknown');
      return undefined;
    }
  };
}
