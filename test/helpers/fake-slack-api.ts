/**
 * A stand-in for Slack's cloud on loopback, for tests of the real Bolt app:
 *  - the Web API methods krbops calls (`POST /api/<method>`): auth.test, chat.postMessage,
 *    chat.update, chat.postEphemeral, users.info, views.open, apps.connections.open — every call recorded;
 *  - response URLs (`POST /response/<id>`): what `respond()` posts, recorded per id;
 *  - a Socket Mode WebSocket (`/link`) that delivers envelopes and collects their acks;
 *  - scripted trouble: a 429 with Retry-After, or an error answer, for the next call of a method.
 * Also signs requests exactly as Slack does (v0 HMAC-SHA256 over `v0:<timestamp>:<body>`).
 */
import { createHmac, randomUUID } from 'node:crypto';
import http, { type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export interface ApiCall {
  method: string;
  /** Form or JSON fields; `blocks` parsed back into objects. */
  body: Record<string, any>;
  authorization?: string;
  at: number;
  /** HTTP status the fake answered with. */
  status: number;
  /** The JSON the fake answered with (e.g. the `ts` of a posted message). */
  reply: Record<string, any>;
}

export interface ResponsePost {
  id: string;
  body: Record<string, any>;
  at: number;
  status: number;
}

export interface FakeSlackOptions {
  /** Tokens auth.test and the other methods accept (Authorization: Bearer …). Default: any non-empty token. */
  botTokens?: string[];
  appToken?: string;
  /** Workspace members users.info knows: user ID → profile e-mail. */
  users?: Record<string, { email?: string; name?: string }>;
}

type Trouble = { kind: 'rate_limited'; retryAfter: number } | { kind: 'error'; error: string };

export class FakeSlackApi {
  readonly calls: ApiCall[] = [];
  readonly responses: ResponsePost[] = [];
  /** Socket Mode acks received, by envelope id. */
  readonly acks = new Map<string, Record<string, any>>();
  private server!: http.Server;
  private wss!: WebSocketServer;
  private sockets = new Set<WebSocket>();
  private trouble = new Map<string, Trouble[]>();
  private waiters: (() => void)[] = [];
  private ts = 1_700_000_000;
  /** Messages of each channel as conversations.history returns them (oldest first here). */
  readonly history = new Map<string, { ts: string; text: string; metadata?: Record<string, any> }[]>();
  private postDelay?: { min: number; max: number };
  port = 0;

  constructor(private readonly options: FakeSlackOptions = {}) {}

  /** Base URL for SLACK_API_URL / clientOptions.slackApiUrl. */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api/`;
  }

  /** A fresh response_url; what is posted to it is in `responsesFor(id)`. */
  newResponseUrl(): { id: string; url: string } {
    const id = randomUUID();
    return { id, url: `http://127.0.0.1:${this.port}/response/${id}` };
  }

  responsesFor(id: string): ResponsePost[] {
    return this.responses.filter((r) => r.id === id);
  }

  callsOf(method: string): ApiCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /**
   * chat.postMessage keeps the message at once, then answers after a random delay in [min, max] ms:
   * a client killed in between has posted without knowing it (crash tests). Undefined: no delay.
   */
  delayPosts(range?: { min: number; max: number }): void {
    this.postDelay = range;
  }

  /** The next call of `method` (or POST to a response URL when method is 'response_url') answers 429 with Retry-After. */
  rateLimitNext(method: string, retryAfterSeconds: number): void {
    this.push(method, { kind: 'rate_limited', retryAfter: retryAfterSeconds });
  }

  /** The next call of `method` answers `{ ok: false, error }`. */
  failNext(method: string, error: string): void {
    this.push(method, { kind: 'error', error });
  }

  private push(method: string, t: Trouble) {
    const list = this.trouble.get(method) ?? [];
    list.push(t);
    this.trouble.set(method, list);
  }

  private take(method: string): Trouble | undefined {
    return this.trouble.get(method)?.shift();
  }

  private notify() {
    const w = this.waiters.splice(0);
    for (const f of w) f();
  }

  /** Resolves when `check` returns a truthy value (re-checked on every recorded request), or rejects after `timeoutMs`. */
  async waitFor<T>(check: () => T | undefined | false, timeoutMs = 10_000, what = 'condition'): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = check();
      if (v) return v;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`fake Slack: timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Waits until `n` posts have arrived at the response URL `id`. */
  waitForResponses(id: string, n = 1, timeoutMs = 10_000): Promise<ResponsePost[]> {
    return this.waitFor(() => {
      const r = this.responsesFor(id);
      return r.length >= n ? r : undefined;
    }, timeoutMs, `${n} post(s) to response_url ${id}`);
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.wss = new WebSocketServer({ noServer: true });
    this.server.on('upgrade', (req, socket, head) => {
      if (!req.url?.startsWith('/link')) return socket.destroy();
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        this.sockets.add(ws);
        ws.on('close', () => this.sockets.delete(ws));
        ws.on('message', (data) => {
          try {
            // ws hands text frames over as a Buffer (binaryType 'nodebuffer', its default).
            const m = JSON.parse((data as Buffer).toString('utf8'));
            if (m.envelope_id) this.acks.set(m.envelope_id, m);
          } catch {
            /* not JSON: ignore */
          }
          this.notify();
        });
        ws.send(JSON.stringify({ type: 'hello', num_connections: 1, connection_info: { app_id: 'AKRBOPS' }, debug_info: { host: 'fake', approximate_connection_time: 3600 } }));
        this.notify();
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /** Socket Mode: whether a client is connected. */
  get socketConnected(): boolean {
    return this.sockets.size > 0;
  }

  /** Socket Mode: delivers an envelope (e.g. type 'slash_commands') and resolves with the client's ack. */
  async sendEnvelope(type: string, payload: Record<string, unknown>, timeoutMs = 5000): Promise<Record<string, any>> {
    const ws = [...this.sockets][0];
    if (!ws) throw new Error('fake Slack: no Socket Mode client connected');
    const envelope_id = randomUUID();
    ws.send(JSON.stringify({ envelope_id, type, payload, accepts_response_payload: type === 'slash_commands' }));
    return this.waitFor(() => this.acks.get(envelope_id), timeoutMs, `ack of envelope ${envelope_id}`);
  }

  async close(): Promise<void> {
    for (const ws of this.sockets) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://fake');
    const ctype = String(req.headers['content-type'] ?? '');
    let body: Record<string, any> = {};
    if (ctype.includes('application/json')) {
      try {
        body = raw ? JSON.parse(raw) : {};
      } catch {
        body = { _raw: raw };
      }
    } else {
      body = Object.fromEntries(new URLSearchParams(raw));
    }
    for (const k of ['blocks', 'attachments']) {
      if (typeof body[k] === 'string') {
        try {
          body[k] = JSON.parse(body[k]);
        } catch {
          /* leave as sent */
        }
      }
    }
    let replied: Record<string, any> = {};
    const send = (status: number, json: Record<string, any>, headers: Record<string, string> = {}) => {
      replied = json;
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(json));
      return status;
    };

    if (url.pathname.startsWith('/response/')) {
      const id = url.pathname.slice('/response/'.length);
      const t = this.take('response_url');
      const status = t?.kind === 'rate_limited' ? send(429, { ok: false, error: 'rate_limited' }, { 'retry-after': String(t.retryAfter) }) : send(200, { ok: true });
      this.responses.push({ id, body, at: Date.now(), status });
      this.notify();
      return;
    }

    if (!url.pathname.startsWith('/api/')) {
      send(404, { ok: false, error: 'not_found' });
      return;
    }
    const method = url.pathname.slice('/api/'.length);
    const authorization = req.headers.authorization;
    const record = (status: number) => {
      this.calls.push({ method, body, authorization, at: Date.now(), status, reply: replied });
      this.notify();
    };
    const token = authorization?.replace(/^Bearer\s+/i, '') || body.token;
    const t = this.take(method);
    if (t?.kind === 'rate_limited') return record(send(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(t.retryAfter) }));
    if (t?.kind === 'error') return record(send(200, { ok: false, error: t.error }));

    if (method === 'apps.connections.open') {
      if (this.options.appToken && token !== this.options.appToken) return record(send(200, { ok: false, error: 'invalid_auth' }));
      return record(send(200, { ok: true, url: `ws://127.0.0.1:${this.port}/link?ticket=${randomUUID()}` }));
    }
    const tokens = this.options.botTokens;
    if (!token || (tokens && !tokens.includes(token))) return record(send(200, { ok: false, error: 'invalid_auth' }));

    switch (method) {
      case 'auth.test':
        return record(send(200, { ok: true, url: 'https://contoso.slack.com/', team: 'Contoso', user: 'krbops', team_id: 'TCONTOSO', user_id: 'UKRBOPS', bot_id: 'BKRBOPS' }));
      case 'chat.postMessage': {
        if (!body.channel) return record(send(200, { ok: false, error: 'channel_not_found' }));
        const ts = `${++this.ts}.000100`;
        let metadata = body.metadata;
        if (typeof metadata === 'string') metadata = JSON.parse(metadata);
        if (!body.thread_ts) this.history.set(body.channel, [...(this.history.get(body.channel) ?? []), { ts, text: body.text, ...(metadata ? { metadata } : {}) }]);
        if (this.postDelay) {
          // Recorded now, answered later: the call is in `calls` at once.
          const { min, max } = this.postDelay;
          this.calls.push({ method, body, authorization, at: Date.now(), status: 200, reply: { ok: true, ts } });
          this.notify();
          await new Promise((r) => setTimeout(r, min + Math.random() * (max - min)));
          if (!res.destroyed) send(200, { ok: true, channel: body.channel, ts, message: { text: body.text, ts } });
          return;
        }
        return record(send(200, { ok: true, channel: body.channel, ts, message: { text: body.text, ts } }));
      }
      case 'conversations.history': {
        const all = [...(this.history.get(body.channel) ?? [])].reverse();
        const withMeta = body.include_all_metadata === true || body.include_all_metadata === 'true';
        const limit = Number(body.limit ?? 100);
        return record(send(200, { ok: true, messages: all.slice(0, limit).map((m) => ({ type: 'message', ts: m.ts, text: m.text, ...(withMeta && m.metadata ? { metadata: m.metadata } : {}) })), has_more: all.length > limit }));
      }
      case 'chat.update':
        return record(send(200, { ok: true, channel: body.channel, ts: body.ts }));
      case 'chat.postEphemeral':
        return record(send(200, { ok: true, message_ts: `${++this.ts}.000200` }));
      case 'users.info': {
        const u = this.options.users?.[String(body.user ?? '')];
        if (!u) return record(send(200, { ok: false, error: 'user_not_found' }));
        return record(send(200, { ok: true, user: { id: body.user, name: u.name ?? String(body.user).toLowerCase(), deleted: false, is_bot: false, profile: { ...(u.email ? { email: u.email } : {}), real_name: u.name ?? '' } } }));
      }
      case 'views.open': {
        if (!body.trigger_id) return record(send(200, { ok: false, error: 'invalid_trigger_id' }));
        const view = typeof body.view === 'string' ? JSON.parse(body.view) : body.view;
        return record(send(200, { ok: true, view: { id: `V${++this.ts}`, ...view } }));
      }
      default:
        return record(send(200, { ok: false, error: 'unknown_method' }));
    }
  }
}

export async function startFakeSlackApi(options: FakeSlackOptions = {}): Promise<FakeSlackApi> {
  return new FakeSlackApi(options).start();
}

/** Slack's request signature: `v0=` + hex HMAC-SHA256 of `v0:<timestamp>:<body>` with the signing secret. */
export function slackSignature(signingSecret: string, timestamp: number, body: string): string {
  return 'v0=' + createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex');
}

export interface SignedPostOptions {
  /** Default: now. */
  timestamp?: number;
  /** Replace the computed signature (a wrong one). */
  signature?: string;
  /** Sign with this secret instead. */
  signWith?: string;
  /** Extra headers (`x-slack-retry-num` for a retry). */
  headers?: Record<string, string>;
}

export interface SignedPostResult {
  status: number;
  body: string;
  /** Milliseconds until the HTTP answer (Slack's limit is 3000). */
  ms: number;
  /** Exactly what was sent, to replay it. */
  sent: { body: string; headers: Record<string, string> };
}

/** POSTs a form-encoded body to the app, signed as Slack signs it. */
export async function postSigned(eventsUrl: string, signingSecret: string, form: Record<string, string>, o: SignedPostOptions = {}): Promise<SignedPostResult> {
  const body = new URLSearchParams(form).toString();
  const timestamp = o.timestamp ?? Math.floor(Date.now() / 1000);
  const headers = {
    'content-type': 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': o.signature ?? slackSignature(o.signWith ?? signingSecret, timestamp, body),
    ...o.headers,
  };
  return postRaw(eventsUrl, body, headers);
}

/** Sends exactly these bytes and headers (replays). */
export async function postRaw(eventsUrl: string, body: string, headers: Record<string, string>): Promise<SignedPostResult> {
  const t0 = performance.now();
  const res = await fetch(eventsUrl, { method: 'POST', headers, body });
  const text = await res.text();
  return { status: res.status, body: text, ms: performance.now() - t0, sent: { body, headers } };
}

/** The form fields of a slash command as Slack sends them. */
export function slashCommandForm(command: string, text: string, responseUrl: string, over: Record<string, string> = {}): Record<string, string> {
  return {
    token: 'deprecated-verification-token',
    team_id: 'TCONTOSO',
    team_domain: 'contoso',
    channel_id: 'CINCIDENT',
    channel_name: 'incident-401',
    user_id: 'UONCALL',
    user_name: 'oncall',
    command,
    text,
    api_app_id: 'AKRBOPS',
    is_enterprise_install: 'false',
    response_url: responseUrl,
    // Slack gives every invocation its own trigger_id (a retry of one carries the same).
    trigger_id: `${Date.now()}.${randomUUID()}`,
    ...over,
  };
}

/** A block_actions interaction (button click) as Slack sends it: `payload=<json>`. */
export function buttonClickForm(actionId: string, value: string, responseUrl: string): Record<string, string> {
  const payload = {
    type: 'block_actions',
    team: { id: 'TCONTOSO', domain: 'contoso' },
    user: { id: 'UONCALL', username: 'oncall', name: 'oncall', team_id: 'TCONTOSO' },
    api_app_id: 'AKRBOPS',
    token: 'deprecated-verification-token',
    container: { type: 'message', message_ts: '1700000000.000100', channel_id: 'CINCIDENT', is_ephemeral: true },
    trigger_id: `${Date.now()}.${randomUUID()}`,
    channel: { id: 'CINCIDENT', name: 'incident-401' },
    response_url: responseUrl,
    actions: [{ type: 'button', action_id: actionId, block_id: 'b1', text: { type: 'plain_text', text: 'Request this change' }, value, action_ts: '1700000001.000000' }],
  };
  return { payload: JSON.stringify(payload) };
}

/** A modal's submission as Slack sends it: `payload=<json>` of type view_submission. */
export function viewSubmissionForm(view: { callback_id: string; private_metadata?: string }, values: Record<string, Record<string, { type: string; value: string | null }>>, user: { id: string; username: string }): Record<string, string> {
  const payload = {
    type: 'view_submission',
    team: { id: 'TCONTOSO', domain: 'contoso' },
    user: { id: user.id, username: user.username, name: user.username, team_id: 'TCONTOSO' },
    api_app_id: 'AKRBOPS',
    token: 'deprecated-verification-token',
    // Every submission has its own trigger_id (a retry of one carries the same): krbops drops repeats.
    trigger_id: `${Date.now()}.${randomUUID()}`,
    view: { id: 'VKRBOPS', type: 'modal', callback_id: view.callback_id, private_metadata: view.private_metadata ?? '', state: { values }, hash: '1.a' },
    response_urls: [],
  };
  return { payload: JSON.stringify(payload) };
}
