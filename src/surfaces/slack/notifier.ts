/**
 * Alerts of the scheduled watchers to KRBOPS_ALERT_SLACK_CHANNEL with chat.postMessage. A long alert
 * keeps its summary in the channel and the rest in the message's thread. Rate-limited calls wait for
 * Retry-After (the Web API client's retry policy).
 */
import { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import { alertCard, checkMessage, type SlackAlert } from '../../../cards/slack/index.js';
import type { Config } from '../../config.js';
import { ConfigError, ErrorCode, KrbopsError } from '../../errors.js';
import { silentLogger } from '../../log.js';
import { slackClientOptions, type SlackDeps } from './app.js';
import { slackBlocks } from './deliver.js';
import { boltLogger } from './logger.js';

export type { SlackAlert };

export interface SlackNotifier {
  name: 'slack';
  /** Posts the alert; resolves with where it went. Throws a KrbopsError naming what to fix. */
  post(alert: SlackAlert): Promise<{ channel: string; ts: string }>;
  /** The ts of a message in the alert channel's recent history carrying this alert's key (re-delivery after a crash), else undefined. */
  find(alert: SlackAlert): Promise<string | undefined>;
}

/** Message metadata krbops puts on every alert: the alert key, so a re-delivery can find the first post. */
export const ALERT_EVENT_TYPE = 'krbops_alert';
/** Messages of the channel's history searched for the key (the newest; alerts are rare). */
const HISTORY_LIMIT = 200;

export interface SlackNotifierDeps extends Pick<SlackDeps, 'retryConfig' | 'apiTimeoutMs'> {
  log?: Logger;
  /** Reuse a client (the Bolt app's `bot.client`); default: a new one from config. */
  client?: webApi.WebClient;
}

/** Slack's error → the variable to fix and how. */
function explain(error: string, channel: string): KrbopsError {
  switch (error) {
    case 'channel_not_found':
      return new ConfigError('KRBOPS_ALERT_SLACK_CHANNEL', `Slack has no channel "${channel}" the bot can see (use the channel ID, e.g. C0123456789; invite the bot to private channels)`);
    case 'not_in_channel':
      return new ConfigError('KRBOPS_ALERT_SLACK_CHANNEL', `the bot is not a member of ${channel}: invite it (/invite @krbops)`);
    case 'is_archived':
      return new ConfigError('KRBOPS_ALERT_SLACK_CHANNEL', `${channel} is archived`);
    case 'invalid_auth':
    case 'not_authed':
    case 'token_revoked':
    case 'account_inactive':
      return new ConfigError('SLACK_BOT_TOKEN', `Slack refused the token (${error})`);
    case 'missing_scope':
      return new ConfigError('SLACK_BOT_TOKEN', 'the app lacks a scope (chat:write; chat:write.public for channels it has not joined): reinstall it from manifest/slack/manifest.yaml');
    default:
      return new KrbopsError(ErrorCode.Internal, `Slack refused the alert for ${channel} (${error})`);
  }
}

export function createSlackNotifier(config: Config, deps: SlackNotifierDeps = {}): SlackNotifier {
  const s = config.slack;
  if (!s?.botToken) throw new ConfigError('SLACK_BOT_TOKEN', 'is required to post alerts to Slack');
  if (!s.alertChannel) throw new ConfigError('KRBOPS_ALERT_SLACK_CHANNEL', 'is required to post alerts to Slack (a channel ID such as C0123456789)');
  const channel = s.alertChannel;
  const log = deps.log ?? silentLogger;
  const client = deps.client ?? new webApi.WebClient(s.botToken, { ...slackClientOptions(config, deps), logger: boltLogger(log) });

  const call = async <T>(f: () => Promise<T>): Promise<T> => {
    try {
      return await f();
    } catch (e) {
      const err = e as { code?: string; data?: { error?: string }; message?: string };
      if (err.code === 'slack_webapi_platform_error') throw explain(err.data?.error ?? 'error', channel);
      throw new KrbopsError(ErrorCode.Internal, `Slack's Web API did not take the alert (${err.message ?? 'error'})`, { cause: e });
    }
  };

  return {
    name: 'slack',
    async post(alert) {
      const reply = alertCard(alert);
      for (const m of [reply, ...reply.followUps]) {
        const v = checkMessage(m);
        if (v.length) log.warn({ violations: v.slice(0, 5) }, 'Slack alert exceeds Block Kit limits');
      }
      const posted = await call(() =>
        client.chat.postMessage({ channel, text: reply.text, blocks: slackBlocks(reply.blocks), unfurl_links: false, ...(alert.key ? { metadata: { event_type: ALERT_EVENT_TYPE, event_payload: { alert_key: alert.key } } } : {}) }),
      );
      const ts = posted.ts!;
      const where = posted.channel ?? channel;
      for (const f of reply.followUps) {
        await call(() => client.chat.postMessage({ channel: where, thread_ts: ts, text: f.text, blocks: slackBlocks(f.blocks), unfurl_links: false }));
      }
      log.info({ channel: where, ts, title: alert.title }, 'alert posted to Slack');
      return { channel: where, ts };
    },
    async find(alert) {
      if (!alert.key) return undefined;
      const h = await call(() => client.conversations.history({ channel, limit: HISTORY_LIMIT, include_all_metadata: true }));
      const hit = (h.messages ?? []).find((m) => {
        const md = (m as { metadata?: { event_type?: string; event_payload?: { alert_key?: unknown } } }).metadata;
        return md?.event_type === ALERT_EVENT_TYPE && md.event_payload?.alert_key === alert.key;
      });
      return hit?.ts;
    },
  };
}
