/**
 * Slack re-sends a request it thinks went unanswered (`X-Slack-Retry-Num`, Socket Mode
 * `retry_attempt`), re-signed, with the same payload. Work already accepted must not run twice (a
 * second change request, a second answer): a Bolt global middleware remembers what it let through,
 * keyed by the payload's trigger_id (slash commands, buttons, modals) or event_id (Events API),
 * else a hash of the payload, and acknowledges a repeat without calling the listeners.
 * Remembered in memory for `ttlMs` (Slack's retries come within minutes) — one replica's view;
 * behind a load balancer Slack's retries of one request go to the same URL, not the same replica.
 * https://docs.slack.dev/apis/events-api/#retries
 */
import { createHash } from 'node:crypto';
import type { Middleware, AnyMiddlewareArgs } from '@slack/bolt';
import type { Logger } from 'pino';

export interface RetryDedupeOptions {
  log: Logger;
  /** How long an accepted payload is remembered, default 15 min. */
  ttlMs?: number;
  /** Keys remembered at most (oldest dropped first), default 50 000. */
  maxRemembered?: number;
  now?: () => number;
}

/** The identity of one piece of work in a Slack payload. */
export function payloadKey(body: Record<string, unknown>): string {
  for (const field of ['trigger_id', 'event_id'] as const) {
    const v = body[field];
    if (typeof v === 'string' && v) return `${field}:${v}`;
  }
  return `sha256:${createHash('sha256').update(JSON.stringify(body)).digest('hex')}`;
}

export function retryDedupe(o: RetryDedupeOptions): Middleware<AnyMiddlewareArgs> {
  const ttl = o.ttlMs ?? 15 * 60_000;
  const max = o.maxRemembered ?? 50_000;
  const now = o.now ?? (() => Date.now());
  const accepted = new Map<string, number>();
  return async (args) => {
    const t = now();
    for (const [k, at] of accepted) {
      if (at > t - ttl && accepted.size <= max) break;
      accepted.delete(k);
    }
    const key = payloadKey(args.body as Record<string, unknown>);
    if (accepted.has(key)) {
      o.log.info({ key, retry: args.context.retryNum, reason: args.context.retryReason }, 'Slack retry of work already accepted: acknowledged, not run again');
      const ack = (args as { ack?: () => Promise<void> }).ack;
      if (ack) await ack();
      return;
    }
    accepted.set(key, t);
    await args.next();
  };
}
