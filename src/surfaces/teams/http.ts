/**
 * Node's IncomingMessage/ServerResponse → the express-like Request/Response CloudAdapter.process
 * expects (a parsed JSON body, `status`, `header`, `send`, `end`). No web framework needed.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request, Response } from 'botbuilder';

/** Largest activity accepted; Teams messages are limited to about 28 KB, invokes are smaller. */
export const MAX_BODY_BYTES = 1024 * 1024;

export class BodyError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/** Reads the JSON body (already parsed by a framework when `req.body` is set). */
export async function readJsonBody(req: IncomingMessage & { body?: unknown }, limit = MAX_BODY_BYTES): Promise<Record<string, unknown>> {
  if (req.body && typeof req.body === 'object') return req.body as Record<string, unknown>;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new BodyError(413, `Body larger than ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  const raw = Buffer.concat(chunks).toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new BodyError(400, 'Body is not JSON');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new BodyError(400, 'Body is not a JSON object');
  return parsed as Record<string, unknown>;
}

export function toBotRequest(req: IncomingMessage, body: Record<string, unknown>): Request {
  return { method: req.method, headers: req.headers as Request['headers'], body };
}

/**
 * What CloudAdapter sends (as a 500) when a token could not be checked because the Bot Framework's
 * OpenID metadata or signing keys could not be fetched (src/surfaces/teams/auth.ts): answered 503.
 */
export const AUTH_UNAVAILABLE = 'Service Unavailable: the Bot Framework signing keys could not be fetched; try again later.';

/** CloudAdapter's answer → Node's response. A 5xx never carries the error text (internals): the real error is in the log. */
export function toBotResponse(res: ServerResponse): Response {
  return {
    socket: res.socket,
    status(code: number) {
      res.statusCode = code;
      return this;
    },
    header(name: string, value: unknown) {
      res.setHeader(name, String(value));
      return this;
    },
    send(body: unknown) {
      if (res.writableEnded || body === undefined) return this;
      if (res.statusCode >= 500) {
        if (body === AUTH_UNAVAILABLE) res.statusCode = 503;
        res.setHeader('content-type', 'text/plain; charset=utf-8');
        res.write(res.statusCode === 503 ? AUTH_UNAVAILABLE : 'Internal Server Error');
        return this;
      }
      if (typeof body === 'string' || Buffer.isBuffer(body)) {
        if (!res.hasHeader('content-type')) res.setHeader('content-type', 'text/plain; charset=utf-8');
        res.write(body);
      } else {
        res.setHeader('content-type', 'application/json; charset=utf-8');
        res.write(JSON.stringify(body));
      }
      return this;
    },
    end() {
      if (!res.writableEnded) res.end();
      return this;
    },
  };
}
