/**
 * Runs before Bolt's own verification on POST /slack/events. Bolt checks the v0 signature and
 * refuses timestamps older than five minutes; this adds what it leaves out:
 *  - a signed request seen before (same signature, so same timestamp and body) is refused: a
 *    captured request cannot be replayed within the five minutes either;
 *  - a timestamp more than five minutes in the future is refused;
 *  - bodies larger than Slack ever sends are refused before they are buffered.
 * The raw body is kept on `req.rawBody`, which Bolt's ExpressReceiver reads instead of the stream.
 * https://docs.slack.dev/authentication/verifying-requests-from-slack
 */
import { isValidSlackRequest } from '@slack/bolt';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';

export interface ReplayGuardOptions {
  signingSecret: string;
  log: Logger;
  /** Largest accepted body, default 256 KiB (slash commands and interactions are a few KiB). */
  maxBodyBytes?: number;
  /** Window Slack allows for a timestamp, default 300 s (Bolt's own value). */
  windowSeconds?: number;
  /** Signatures remembered at most (oldest dropped first), default 50 000. */
  maxRemembered?: number;
  now?: () => number;
}

export function replayGuard(o: ReplayGuardOptions) {
  const maxBody = o.maxBodyBytes ?? 256 * 1024;
  const windowS = o.windowSeconds ?? 300;
  const maxRemembered = o.maxRemembered ?? 50_000;
  const now = o.now ?? (() => Date.now());
  /** signature → request timestamp (s); insertion order = arrival order. */
  const seen = new Map<string, number>();

  const prune = (nowS: number) => {
    for (const [sig, ts] of seen) {
      if (ts >= nowS - windowS && seen.size <= maxRemembered) break;
      seen.delete(sig);
    }
  };

  return function slackReplayGuard(req: Request, res: Response, next: NextFunction): void {
    if ((req as { rawBody?: unknown }).rawBody !== undefined || req.readableEnded) {
      // A body parser ran before us: Bolt could not verify the signature either.
      o.log.error('Slack request body was consumed by another middleware; mount the Slack surface before any body parser');
      res.status(500).send();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (c: Buffer) => {
      if (refused) return;
      size += c.length;
      if (size > maxBody) {
        refused = true;
        o.log.warn({ size }, 'Slack request body too large; refused');
        res.status(413).send();
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('error', (e) => {
      if (!refused) next(e);
      refused = true;
    });
    req.on('end', () => {
      if (refused) return;
      const body = Buffer.concat(chunks);
      (req as { rawBody?: Buffer }).rawBody = body;
      const signature = req.headers['x-slack-signature'];
      const tsHeader = req.headers['x-slack-request-timestamp'];
      const ts = Number(tsHeader);
      const nowS = Math.floor(now() / 1000);
      if (typeof signature === 'string' && Number.isFinite(ts)) {
        if (ts > nowS + windowS) {
          o.log.warn({ ts }, 'Slack request timestamp is in the future; refused');
          res.status(401).send();
          return;
        }
        const valid = isValidSlackRequest({
          signingSecret: o.signingSecret,
          body: body.toString('utf8'),
          headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': ts },
          nowMilliseconds: now(),
        });
        // An invalid one goes on to Bolt, which answers 401 and logs why.
        if (valid) {
          prune(nowS);
          if (seen.has(signature)) {
            o.log.warn({ ts }, 'Slack request replayed (signature seen before); refused');
            res.status(401).send();
            return;
          }
          seen.set(signature, ts);
        }
      }
      next();
    });
  };
}
