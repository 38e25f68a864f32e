/**
 * Posting a card's reply: through the slash command's `response_url` (Bolt's `respond`), or — for a
 * shared answer with follow-ups — as a channel message with the full list in its thread.
 */
import type { RespondArguments, RespondFn, types, webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import { checkMessage, type Block, type SlackMessage, type SlackReply } from '../../../cards/slack/index.js';
import type { Visibility } from './dispatch.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * `respond()` posts to the response_url with axios and does not retry. A 429 there is retried after
 * its Retry-After (at most `attempts` times); anything else is thrown.
 */
export async function respondWithRetry(respond: RespondFn, message: RespondArguments, log: Logger, attempts = 3): Promise<void> {
  for (let i = 1; ; i++) {
    try {
      await respond(message);
      return;
    } catch (e) {
      const res = (e as { response?: { status?: number; headers?: Record<string, string> } }).response;
      const retryAfter = Number.parseInt(res?.headers?.['retry-after'] ?? '', 10);
      if (res?.status === 429 && i < attempts) {
        const wait = Number.isFinite(retryAfter) ? retryAfter * 1000 : 1000 * i;
        log.info({ wait }, 'response_url rate limited; retrying after Retry-After');
        await sleep(wait);
        continue;
      }
      throw e;
    }
  }
}

function warnLimits(m: SlackMessage, log: Logger): void {
  const v = checkMessage(m);
  if (v.length) log.warn({ violations: v.slice(0, 5) }, 'Slack message exceeds Block Kit limits');
}

export interface DeliverOptions {
  respond: RespondFn;
  visibility: Visibility;
  /** Replace the message posted earlier through the same response_url ("Working on it…"). */
  replaceOriginal: boolean;
  log: Logger;
  /** For shared answers with follow-ups: post in the channel and thread the rest. */
  client?: webApi.WebClient;
  channelId?: string;
}

/** How the reply went out, for logs and tests. */
export type Delivery = 'response_url' | 'thread';

export async function deliverReply(reply: SlackReply, o: DeliverOptions): Promise<Delivery> {
  for (const m of [reply, ...reply.followUps]) warnLimits(m, o.log);
  const { text, blocks } = reply;

  if (o.visibility === 'in_channel' && reply.followUps.length && o.client && o.channelId) {
    let ts: string | undefined;
    try {
      const posted = await o.client.chat.postMessage({ channel: o.channelId, text, blocks: slackBlocks(blocks), unfurl_links: false });
      ts = posted.ts;
    } catch (e) {
      o.log.info({ err: e, channel: o.channelId }, 'cannot post in the channel (bot not a member?); answering through response_url');
    }
    if (ts) {
      let sent = 0;
      try {
        for (const f of reply.followUps) {
          await o.client.chat.postMessage({ channel: o.channelId, thread_ts: ts, text: f.text, blocks: slackBlocks(f.blocks), unfurl_links: false });
          sent++;
        }
      } catch (e) {
        o.log.warn({ err: e }, 'thread reply failed; sending the rest through response_url');
        for (const f of reply.followUps.slice(sent)) await respondWithRetry(o.respond, { response_type: 'in_channel', text: f.text, blocks: slackBlocks(f.blocks) }, o.log);
      }
      if (o.replaceOriginal) await respondWithRetry(o.respond, { delete_original: true }, o.log).catch((e) => o.log.info({ err: e }, 'could not remove the "Working on it…" message'));
      return 'thread';
    }
  }

  await respondWithRetry(
    o.respond,
    { response_type: o.visibility, replace_original: o.replaceOriginal, text, blocks: slackBlocks(blocks), unfurl_links: false },
    o.log,
  );
  for (const f of reply.followUps) {
    await respondWithRetry(o.respond, { response_type: o.visibility, replace_original: false, text: f.text, blocks: slackBlocks(f.blocks), unfurl_links: false }, o.log);
  }
  return 'response_url';
}

/**
 * Our Block Kit blocks (cards/slack/blocks.ts, checked against Slack's limits by the tests) as the
 * Web API client's type. The one place the two declarations meet; everything else stays typed.
 */
export function slackBlocks(blocks: readonly Block[]): types.KnownBlock[] {
  return blocks as unknown as types.KnownBlock[];
}
